"""Audit one repository in isolation (``workers`` runs ``--jobs`` of them at a time).

For one repository: read what the last run learnt (``state``), ask GitHub for the repository
(conditional request) unless a listing already said, and decide:

- ``pushed_at`` as last time: no fetch, no policy file read; the git facts gathered last time
  are read back and judged again as of today (``factcodec``), unless the policy or the tool
  changed, when they are gathered again from the mirror, still without a fetch;
- else: fetch the mirror (clone it the first time), read the repository's policy file
  through the API, gather the git facts and keep them for next time.

The GitHub rules always read GitHub (their settings change without a push), through
conditional requests. Then the check's pipeline: ``engine.evaluate`` and the check's JSON
report. All of it holds the repository's lock in the cache (:mod:`hotfix_lint.audit.locks`),
so another audit on the same cache waits for it. Whatever goes wrong with one repository (a
clone refused, GitHub unreachable, a broken policy, a bug) becomes a ``failed`` entry with
the reason; the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotfix_lint import TOOL_NAME, __version__
from hotfix_lint.audit.graphql_read import named_info
from hotfix_lint.audit.locks import held
from hotfix_lint.audit.mirror_facts import facts_key, fetch_mirror, git_facts, with_past_eras
from hotfix_lint.audit.model import FAILED, OK, SKIPPED, RepoEntry
from hotfix_lint.audit.selection import Target
from hotfix_lint.audit.settings import AuditSettings, OrgPolicy, redact, repo_policy
from hotfix_lint.audit.state import KeptGitHub, RepoState
from hotfix_lint.errors import PolicyError, UserError, unreadable_repository
from hotfix_lint.policy.cache import POLICY_FILE_NAMES

if TYPE_CHECKING:
    from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
    from hotfix_lint.collect.github.graphql import RepoAnswer
    from hotfix_lint.collect.github.org import GitHubReader, RepositoryInfo

log = logging.getLogger(__name__)

GITHUB_DEPLOYMENT = "github-deployment"


def audit_repository(target: Target, settings: AuditSettings, meter: ApiMeter | None = None) -> RepoEntry:
    """One repository's entry; never raises (a failure is an entry with the reason)."""
    try:
        with ExitStack() as locks:
            _lock(locks, settings, target.full_name)
            return _audit(target, settings, meter, locks)
    except PolicyError as exc:
        return RepoEntry(target.full_name, FAILED, error="the policy is broken: " + "; ".join(exc.problems))
    except UserError as exc:
        return RepoEntry(target.full_name, FAILED, error=redact(str(exc), settings.token))
    except Exception as exc:  # one repository's surprise must not stop the audit of the others
        from hotfix_lint.collect.git.mirror import MirrorError
        from hotfix_lint.collect.github.org import GitHubReadError

        unreadable = unreadable_repository(exc)
        if isinstance(exc, MirrorError):
            reason = f"could not clone or fetch: {exc}"
        elif unreadable is not None:
            reason = str(unreadable)
        elif isinstance(exc, GitHubReadError):
            reason = str(exc)
        else:
            log.debug("audit of %s failed", target.full_name, exc_info=True)
            reason = f"unexpected error: {type(exc).__name__}: {exc}"
        return RepoEntry(target.full_name, FAILED, error=redact(reason, settings.token)[:500])


class _LazyReader:
    """A :class:`GitHubReader` made on first use: a warm repository listed by its organisation
    needs none."""

    def __init__(self, settings: AuditSettings, store: HttpCache, meter: ApiMeter | None) -> None:
        self.settings = settings
        self.store = store
        self.meter = meter
        self._reader: GitHubReader | None = None

    def get(self) -> GitHubReader:
        if self._reader is None:
            from hotfix_lint.collect.github.org import GitHubReader

            s = self.settings
            self._reader = GitHubReader(
                s.api_url,
                s.token,
                store=self.store,
                meter=self.meter,
                retry=s.retry,
                clients=s.clients,
                budget=s.budget,
            )
        return self._reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


def _lock(locks: ExitStack, settings: AuditSettings, full_name: str) -> None:
    """Hold the repository's lock until ``locks`` closes (see :mod:`hotfix_lint.audit.locks`)."""
    locks.enter_context(held(settings.cache.lock_path(full_name), settings.lock_timeout, full_name))


def _audit(target: Target, settings: AuditSettings, meter: ApiMeter | None, locks: ExitStack) -> RepoEntry:
    """The audit of a repository whose lock is held (``locks`` takes another for a new name)."""
    cache = settings.cache
    state = cache.load(target.full_name)
    store = cache.http_cache()
    reader = _LazyReader(settings, store, meter)
    try:
        # a named repository: as GraphQL's answer describes it, else as REST does
        info = target.info or named_info(settings.graphql, target.full_name)
        info = info or reader.get().repository(target.full_name)
        if info.full_name.lower() != target.full_name.lower():  # renamed: its mirror is under the new name
            _lock(locks, settings, info.full_name)
        if info.archived and not settings.include_archived:
            return RepoEntry(info.full_name, SKIPPED, error="archived", pushed_at=info.pushed_at)
        mirror = cache.mirror_path(info.full_name)
        unchanged = (
            state.pushed_at is not None
            and state.pushed_at == info.pushed_at
            and state.clone_url == info.clone_url
            and (mirror / "HEAD").is_file()
        )
        policy_file = _read_policy_file(reader, info, state, settings.use_repo_policy, unchanged, settings.graphql)
    finally:
        reader.close()
    history = None
    if not unchanged:
        history = fetch_mirror(info, mirror, settings)
    chosen = repo_policy(settings, info.full_name, policy_file) if policy_file else settings.org_policy
    checked = _check(info, mirror, chosen, settings, state, store, meter, unchanged, history)
    learnt = RepoState(
        pushed_at=info.pushed_at,
        clone_url=info.clone_url,
        policy_file=policy_file,
        policy_read=settings.use_repo_policy,
        facts_key=checked.facts_key,
        audited_at=dt.datetime.fromtimestamp(settings.now, dt.timezone.utc).isoformat(),
        kept_github=checked.kept_github,
    )
    if replace(learnt, audited_at=None) != replace(state, audited_at=None):  # a run that learnt nothing writes nothing
        cache.save(info.full_name, learnt)
    return RepoEntry(
        info.full_name,
        OK,
        report=checked.report,
        history=checked.history,
        policy=chosen.label,
        pushed_at=info.pushed_at,
        github=checked.github,
    )


def _read_policy_file(
    reader: _LazyReader,
    info: RepositoryInfo,
    state: RepoState,
    wanted: bool,
    unchanged: bool,
    answers: Mapping[str, RepoAnswer] | None = None,
) -> tuple[str, str] | None:
    if not wanted:
        return None
    if unchanged and state.policy_read:  # a policy file changes only with a push
        return state.policy_file
    if answers:  # read ahead with the GitHub settings (``audit.graphql_read``)
        from hotfix_lint.audit.graphql_read import policy_file

        known, found = policy_file(answers, info.full_name)
        if known:
            return found
    return reader.get().root_file(info.full_name, POLICY_FILE_NAMES)


@dataclass(frozen=True)
class _Checked:
    """A repository's check: its JSON report and what the cache keeps of it for next time."""

    report: dict[str, Any]
    history: str
    #: what the cached git facts were gathered for (None: not cached)
    facts_key: str | None
    #: how the GitHub facts were had: read, unchanged (the kept ones), None (not wanted)
    github: str | None = None
    #: the GitHub facts kept for next time (``kept_github``)
    kept_github: KeptGitHub | None = None


def _check(
    info: RepositoryInfo,
    mirror: Path,
    chosen: OrgPolicy,
    settings: AuditSettings,
    state: RepoState,
    store: HttpCache,
    meter: ApiMeter | None,
    unchanged: bool,
    history: str | None,
) -> _Checked:
    """The check's pipeline on the mirror: its JSON report, and the cache's keys."""
    from hotfix_lint.collect.github.target import GitHubRequest
    from hotfix_lint.engine import evaluate, required_kinds, select_rules, skip_notes
    from hotfix_lint.facts.kinds import GITHUB_KINDS
    from hotfix_lint.report.json_report import report_to_dict
    from hotfix_lint.report.model import Report

    whole = chosen.policy
    policy = whole.era_now(settings.now)  # with eras, the present's era; past eras below
    selected = select_rules(policy, settings.rules)
    kinds = frozenset(required_kinds(selected))
    request = GitHubRequest(
        repository=info.full_name,
        api_url=settings.api_url,
        token_env=settings.token_env,
        etags=store,
        meter=meter,
        clients=settings.clients,
        budget=settings.budget,
        graphql=settings.graphql,
    )
    # GraphQL answered for it ahead: its facts are made of that answer, no request to keep them for
    answered = bool(settings.graphql) and info.full_name.lower() in (settings.graphql or {})
    # with deployed_ref: github-deployment the history facts depend on GitHub: never cached
    mixed = policy.deployed_ref == GITHUB_DEPLOYMENT and bool(kinds)
    git_kinds = kinds if mixed else kinds - GITHUB_KINDS
    key = None if mixed else facts_key(chosen, git_kinds)
    reads_github = bool(kinds & GITHUB_KINDS) and not mixed
    kept_valid = unchanged and key is not None and state.facts_key == key
    # the kept GitHub facts hold what the GitHub rules of their run read: only for the same ones
    github_key = facts_key(chosen, kinds) if reads_github else None
    github_path = settings.cache.github_facts_path(info.full_name)
    facts = None
    github: str | None = None
    kept = state.kept_github
    if kept_valid and reads_github and kept is not None and kept.key == github_key and not answered:
        from hotfix_lint.audit.kept_github import judged_again

        facts = judged_again(github_path, kept, request, settings.retry)
        if facts is not None:
            facts = replace(facts, now=settings.now)
            history, github = "cached", "unchanged"
    if facts is None:
        kept = None
        mixed_request = request if mixed else None
        facts, history, key = git_facts(
            info, mirror, policy, git_kinds, settings, key, kept_valid, history, mixed_request
        )
        facts = replace(facts, now=settings.now)
        if reads_github and not facts.empty and answered:
            from hotfix_lint.collect.git.repository import open_repository
            from hotfix_lint.collect.github_plan import add_github

            github = "read"
            facts = add_github(open_repository(mirror), policy, kinds, request, facts)
        elif reads_github and not facts.empty and github_key is not None:
            from hotfix_lint.audit.kept_github import read_and_keep

            github = "read"
            facts, kept = read_and_keep(mirror, policy, kinds, request, facts, github_path, github_key)
        elif mixed and facts.github is not None:
            github = "read"
    if facts.empty:  # no commits: nothing to judge, GitHub included (no branch to protect yet)
        selected = []
    today = dt.datetime.fromtimestamp(settings.now, dt.timezone.utc).date()
    violations = evaluate(facts, policy, selected, today)
    notes = [n for n in facts.notes if not n.startswith("read GitHub repository ")]
    if whole.eras and selected:
        violations = with_past_eras(whole, mirror, settings, violations, notes)
    skipped, rules_run = skip_notes(facts, selected)
    notes.extend(skipped)
    report = Report(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        repository=info.full_name,
        policy=policy.source,
        violations=tuple(violations),
        rules_run=rules_run,
        notes=tuple(notes),
    )
    return _Checked(report_to_dict(report), history or "cached", key, github, kept)
