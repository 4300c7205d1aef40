"""GitHub facts kept from one audit to the next, while GitHub's answers stay the same.

A repository's GitHub facts are made of a handful of answers (its settings, each branch's
protection and rules, its pull requests). When a later audit gets the same answer to each of
those requests (a 304 to the ETag it kept; for a 404, which has no ETag, the same body),
the facts made of them are the same too: the audit judges the kept ones instead of building
them again through PyGithub. Facts are kept only when every answer can be recognised that way
(each URL asked once, each answer a 200 with an ETag, a 304 or a 404), for the same tool,
policy and fact kinds (``key``), beside the SHA-256 of their file so that a file that is not
the one the state names is never read.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint.audit.state import KeptGitHub, write_atomically

if TYPE_CHECKING:
    from hotfix_lint.collect.github.session import RetryPolicy
    from hotfix_lint.collect.github.target import GitHubRequest
    from hotfix_lint.facts import RepositoryFacts
    from hotfix_lint.policy.model import Policy

log = logging.getLogger(__name__)


def judged_again(
    path: Path, kept: KeptGitHub, request: GitHubRequest, retry: RetryPolicy | None
) -> RepositoryFacts | None:
    """The kept facts, when ``path`` is the file ``kept`` names and GitHub still gives every
    answer they were made of; None: read GitHub again."""
    from hotfix_lint.audit.factcodec import CodecError, decode_facts
    from hotfix_lint.collect.github.collector import answers_unchanged

    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != kept.digest:
        return None
    if not answers_unchanged(request, kept.urls, kept.missing, retry=retry):
        return None
    try:
        return decode_facts(data)
    except CodecError:
        return None


def read_and_keep(
    mirror: Path,
    policy: Policy,
    kinds: frozenset[str],
    request: GitHubRequest,
    facts: RepositoryFacts,
    path: Path,
    key: str,
) -> tuple[RepositoryFacts, KeptGitHub | None]:
    """``facts`` (of the repository at ``mirror``) with what GitHub says added, written to ``path``
    for next time when every answer can be recognised again (see above); None: nothing kept."""
    from hotfix_lint.audit.factcodec import CodecError, encode_facts
    from hotfix_lint.collect.git.repository import open_repository
    from hotfix_lint.collect.github.conditional import ApiMeter
    from hotfix_lint.collect.github_plan import add_github

    counted = ApiMeter(keep_answers=True)
    facts = add_github(open_repository(mirror), policy, kinds, replace(request, meter=counted), facts)
    if request.meter is not None:
        request.meter.add(counted.reading())
    answers = counted.answers or []
    urls = [url for url, _, _, _ in answers]
    recognisable = all(
        status == 304 or (status == 200 and etag) or (status == 404 and body) for _, status, etag, body in answers
    )
    if not answers or not recognisable or len(set(urls)) != len(urls):
        return facts, None
    try:
        data = encode_facts(facts)
        write_atomically(path, data)
    except (CodecError, OSError) as exc:
        log.info("GitHub facts not kept: %s", exc)
        return facts, None
    kept = KeptGitHub(
        key=key,
        urls=tuple(url for url, status, _, _ in answers if status != 404),
        missing={url: body for url, status, _, body in answers if status == 404 and body},
        digest=hashlib.sha256(data).hexdigest(),
    )
    return facts, kept
