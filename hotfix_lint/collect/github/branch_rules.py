"""What GitHub enforces on a branch: classic branch protection, the ruleset rules that apply
to it (named by their ruleset), rulesets in ``evaluate`` mode, and who may bypass them.

A plan without branch protection or rulesets (GitHub Free, private repository) answers 403
with a known message: that is a fact (``plan_blocked``, no rules), not a refusal."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hotfix_lint.collect.github.session import (
    PERMISSION_ADMINISTRATION,
    PERMISSION_METADATA,
    GitHubSession,
    RequestFailed,
)
from hotfix_lint.facts.github import (
    BranchGitHubFact,
    BranchProtection,
    BypassActor,
    Checked,
    CouldNotCheck,
    EffectiveRule,
    RepoSettings,
    RulesetBypass,
    github_fnmatch,
)

if TYPE_CHECKING:
    from github.Repository import Repository


log = logging.getLogger(__name__)

#: what GitHub answers (403) for branch protection and rulesets of a private repository on a plan
#: without them (GitHub Free)
PLAN_WITHOUT_PROTECTION = "Upgrade to GitHub Pro or make this repository public to enable this feature."


def _enabled(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    return bool(value.get("enabled")) if isinstance(value, Mapping) else False


def branch_protection(session: GitHubSession, repo: Repository, branch: str) -> Checked[BranchProtection]:
    what = f"branch protection of {branch!r}"
    try:
        data = session.get_json(f"{repo.url}/branches/{quote(branch, safe='')}/protection")
    except RequestFailed as failure:
        if failure.status == 404 and failure.message == "Branch not protected":
            return BranchProtection.unprotected(branch)
        if failure.status == 404 and failure.message == "Branch not found":
            return CouldNotCheck(what, f"branch {branch!r} does not exist on GitHub")
        if _plan_refusal(failure):
            return BranchProtection(branch=branch, protected=False, plan_blocked=True)
        if failure.status == 404:
            failure.reason = f"GitHub answered 404 {failure.message}: the token cannot read branch protection"
        return failure.could_not(what, PERMISSION_ADMINISTRATION)
    reviews = data.get("required_pull_request_reviews")
    checks = data.get("required_status_checks")
    return BranchProtection(
        branch=branch,
        protected=True,
        require_pull_request=reviews is not None,
        # a legacy review rule without a count requires one approval (GitHub's default)
        required_approving_review_count=int(_or((reviews or {}).get("required_approving_review_count"), 1)),
        dismiss_stale_reviews=bool((reviews or {}).get("dismiss_stale_reviews")),
        require_code_owner_reviews=bool((reviews or {}).get("require_code_owner_reviews")),
        require_last_push_approval=bool((reviews or {}).get("require_last_push_approval")),
        required_status_checks=tuple(str(c) for c in (checks or {}).get("contexts", ())),
        strict_status_checks=bool((checks or {}).get("strict")),
        enforce_admins=_enabled(data, "enforce_admins"),
        required_linear_history=_enabled(data, "required_linear_history"),
        allow_force_pushes=_enabled(data, "allow_force_pushes"),
        allow_deletions=_enabled(data, "allow_deletions"),
        required_conversation_resolution=_enabled(data, "required_conversation_resolution"),
        required_signatures=_enabled(data, "required_signatures"),
        lock_branch=_enabled(data, "lock_branch"),
        restricts_pushes=data.get("restrictions") is not None,
        pull_request_bypassers=_allowances((reviews or {}).get("bypass_pull_request_allowances")),
    )


def _or(value: Any, default: int) -> Any:
    return default if value is None else value


def _plan_refusal(failure: RequestFailed) -> bool:
    """GitHub's 403 for a private repository on a plan without branch protection or rulesets."""
    return failure.status == 403 and failure.message.strip() == PLAN_WITHOUT_PROTECTION


def _allowances(data: Any) -> tuple[str, ...]:
    """Logins, team slugs and app slugs of ``bypass_pull_request_allowances``."""
    if not isinstance(data, Mapping):
        return ()
    names: list[str] = []
    for key, field_name in (("users", "login"), ("teams", "slug"), ("apps", "slug")):
        for item in data.get(key) or ():
            if isinstance(item, Mapping) and item.get(field_name):
                names.append(str(item[field_name]))
    return tuple(names)


def branch_rules(
    session: GitHubSession, repo: Repository, branch: str, page_size: int
) -> Checked[tuple[EffectiveRule, ...]]:
    url = f"{repo.url}/rules/branches/{quote(branch, safe='')}"
    try:
        data = session.get_list(url, page_size)
    except RequestFailed as failure:
        if _plan_refusal(failure):  # rulesets are not enforced on this plan: none applies
            return ()
        return failure.could_not(f"rulesets applying to {branch!r}", PERMISSION_METADATA)
    return tuple(
        EffectiveRule(
            type=str(item["type"]),
            parameters=dict(item.get("parameters") or {}),
            ruleset_source_type=item.get("ruleset_source_type"),
            ruleset_source=item.get("ruleset_source"),
            ruleset_id=item.get("ruleset_id"),
        )
        for item in data
    )


class RulesetList:
    """The repository's rulesets (``GET rulesets``, with the organisation's), read once and only
    when asked; None when the token cannot list them."""

    def __init__(self, session: GitHubSession, repo: Repository, page_size: int) -> None:
        self._read = partial(session.get_list, f"{repo.url}/rulesets", page_size)
        self._items: list[dict[str, Any]] | None = None
        self._asked = False

    def items(self) -> list[dict[str, Any]] | None:
        if not self._asked:
            self._asked = True
            try:
                self._items = [i for i in self._read() if isinstance(i, dict)]
            except RequestFailed as failure:
                log.info("rulesets not listed: %s", failure.reason)
        return self._items


def name_rulesets(listed: RulesetList, branches: tuple[BranchGitHubFact, ...]) -> tuple[BranchGitHubFact, ...]:
    """Give each ruleset rule its ruleset's name (one listing, only when some rule applies); a
    token that cannot list rulesets leaves them named by id."""
    ids = {r.ruleset_id for b in branches if isinstance(b.rules, tuple) for r in b.rules if r.ruleset_id is not None}
    if not ids:
        return branches
    items = listed.items()
    if items is None:
        return branches
    names = {item.get("id"): str(item.get("name")) for item in items if item.get("name")}
    return tuple(
        replace(b, rules=tuple(replace(r, ruleset_name=names.get(r.ruleset_id)) for r in b.rules))
        if isinstance(b.rules, tuple)
        else b
        for b in branches
    )


def evaluate_only(
    session: GitHubSession,
    repo: Repository,
    listed: RulesetList,
    branches: tuple[BranchGitHubFact, ...],
    settings: Checked[RepoSettings],
) -> tuple[BranchGitHubFact, ...]:
    """For a branch nothing protects, the rulesets that target it in ``evaluate`` mode (GitHub's
    rules for a branch leave them out: they report, never block). Read only then: one listing,
    and each evaluate-mode branch ruleset's conditions."""
    if isinstance(settings, CouldNotCheck):
        return branches
    conditions = partial(_evaluate_conditions, session, repo, listed)
    return with_evaluate_rulesets(branches, settings.default_branch, conditions)


def _evaluate_conditions(
    session: GitHubSession, repo: Repository, listed: RulesetList
) -> list[tuple[str, Mapping[str, Any]]]:
    """Each evaluate-mode branch ruleset's name and ``ref_name`` condition (one it cannot read is left out)."""
    evaluating = [i for i in listed.items() or () if i.get("enforcement") == "evaluate" and i.get("target") == "branch"]
    conditions: list[tuple[str, Mapping[str, Any]]] = []
    for item in evaluating:
        try:
            detail = session.get_json(f"{repo.url}/rulesets/{int(item['id'])}")
        except (RequestFailed, KeyError, TypeError, ValueError):
            continue
        ref_name = ((detail or {}).get("conditions") or {}).get("ref_name") if isinstance(detail, dict) else None
        if isinstance(ref_name, Mapping):
            conditions.append((str(item.get("name") or f"#{item.get('id')}"), ref_name))
    return conditions


def with_evaluate_rulesets(
    branches: Sequence[BranchGitHubFact],
    default_branch: str,
    conditions: Callable[[], Sequence[tuple[str, Mapping[str, Any]]]],
) -> tuple[BranchGitHubFact, ...]:
    """``branches``, each one nothing protects (no probe, no rules, unprotected) with the names
    of the evaluate-mode rulesets whose ``ref_name`` condition targets it. ``conditions`` gives
    (name, condition) pairs and is asked only when such a branch exists (REST reads them then);
    REST and GraphQL (``collect.github.graphql_facts``) both name them through it."""
    bare = [
        b for b in branches if not b.probe and b.rules == () and b.protection == BranchProtection.unprotected(b.name)
    ]
    if not bare:
        return tuple(branches)
    found = conditions()
    if not found:
        return tuple(branches)
    return tuple(
        replace(b, evaluate_rulesets=tuple(n for n, c in found if ruleset_targets(c, b.name, default_branch)))
        if b in bare
        else b
        for b in branches
    )


def ruleset_targets(ref_name: Mapping[str, Any], branch: str, default_branch: str) -> bool:
    """Whether a ruleset's ``ref_name`` condition includes ``branch`` (and does not exclude it)."""

    def matches(pattern: Any) -> bool:
        text = str(pattern)
        if text == "~ALL":
            return True
        if text == "~DEFAULT_BRANCH":
            return branch == default_branch
        return github_fnmatch(text.removeprefix("refs/heads/"), branch)

    include = ref_name.get("include") or ()
    exclude = ref_name.get("exclude") or ()
    return any(matches(p) for p in include) and not any(matches(p) for p in exclude)


def ruleset_bypass(
    session: GitHubSession, repo: Repository, branches: tuple[BranchGitHubFact, ...]
) -> tuple[RulesetBypass, ...]:
    """Who may bypass each ruleset applying to a read branch (``GET rulesets/{id}``, one per
    ruleset). GitHub shows ``bypass_actors`` only to a token with write access to the ruleset."""
    seen: dict[int, str | None] = {}
    for branch in branches:
        if isinstance(branch.rules, tuple):
            for rule in branch.rules:
                if rule.ruleset_id is not None:
                    seen.setdefault(rule.ruleset_id, rule.ruleset_name)
    found: list[RulesetBypass] = []
    for ruleset_id, name in seen.items():
        what = f"who may bypass ruleset {name or ruleset_id!r}"
        try:
            data = session.get_json(f"{repo.url}/rulesets/{ruleset_id}")
        except RequestFailed as failure:
            found.append(RulesetBypass(ruleset_id, name, failure.could_not(what, PERMISSION_ADMINISTRATION)))
            continue
        actors = data.get("bypass_actors") if isinstance(data, dict) else None
        if not isinstance(actors, list):
            hidden = CouldNotCheck(what, "GitHub shows bypass_actors only to a token with write access to the ruleset")
            found.append(RulesetBypass(ruleset_id, name, hidden))
            continue
        found.append(
            RulesetBypass(
                ruleset_id,
                name or (str(data.get("name")) if data.get("name") else None),
                tuple(
                    BypassActor(
                        actor_type=str(a.get("actor_type")),
                        actor_id=a.get("actor_id") if isinstance(a.get("actor_id"), int) else None,
                        bypass_mode=str(a.get("bypass_mode") or "always"),
                    )
                    for a in actors
                    if isinstance(a, dict)
                ),
            )
        )
    return tuple(found)
