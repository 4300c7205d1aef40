"""The policy as the rest of the program sees it: a frozen record built from validated YAML.

The loader validates first (with positions for errors); :func:`build_policy` then only
converts, so nothing here reports user errors except pattern compilation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from hotfix_lint.fork_safe import cached_property
from hotfix_lint.policy.patterns import NamePattern, compile_pattern
from hotfix_lint.results import Severity

if TYPE_CHECKING:
    import datetime as dt

    from hotfix_lint.policy.waivers import Waiver

DEPLOYED_REF_STRATEGIES = ("branch", "tag", "promotion-branch", "github-deployment")


@dataclass(frozen=True)
class RuleSetting:
    """What the policy says about one rule: its severity and the options it sets."""

    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """A hotfix process: which branches play which part and how each rule is set."""

    source: str
    production: tuple[str, ...] = ("main",)
    #: former names of production lines, by ``production`` entry (``{branch: main, former_names:
    #: [master-th4]}``): a merge "into master-th4" is a merge into that line
    former_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    integration: str | None = "develop"
    integration_retired_since: dt.date | None = None
    #: a production entry's own integration branch, by entry (``{branch: master, integration:
    #: develop}``; None: the line has none, its hotfixes are not back-merged), with its retirement
    #: day; entries that do not say use ``integration``
    line_integrations: Mapping[str, tuple[str | None, dt.date | None]] = field(default_factory=dict)
    hotfix_branch: tuple[str, ...] = ("hotfix/{slug}",)
    release_branches: tuple[str, ...] = ("release/*",)
    ticket_pattern: str | None = None
    #: the changelog's path when the policy names it; unnamed (``find_changelog``) it is looked
    #: for at each commit (``facts.changelog_files``); named null: the process keeps none
    changelog: str | None = None
    find_changelog: bool = True
    tag_pattern: str = "v{version}"
    deployed_ref: str = "branch"
    deployed_environment: str = "production"
    promotion_branch: str | None = None
    version_files: tuple[str, ...] = ()
    since: str | None = None
    #: the process's last day: production changes that landed after it are outside its era
    until: dt.date | None = None
    #: the era's first day (an entry of ``eras``): production changes that landed before it are
    #: outside the era (unlike ``since``, which stops the walk there)
    era_since: dt.date | None = None
    #: the policy's eras (``eras:``), oldest first, each a whole policy: the file's settings with
    #: the era's own over them; a production change is judged by the era it landed in
    eras: tuple[Policy, ...] = ()
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)
    exceptions: tuple[Waiver, ...] = ()
    packs: tuple[str, ...] = ()  # built-in packs this policy extends, outermost first
    #: severity of a check that could not be made (GitHub refused, rate limit, missing object)
    could_not_check: Severity = Severity.WARNING

    @cached_property
    def hotfix_patterns(self) -> tuple[NamePattern, ...]:
        return tuple(compile_pattern(p, self.ticket_pattern) for p in self.hotfix_branch)

    @cached_property
    def release_patterns(self) -> tuple[NamePattern, ...]:
        return tuple(compile_pattern(p, self.ticket_pattern) for p in self.release_branches)

    @cached_property
    def production_patterns(self) -> tuple[NamePattern, ...]:
        return tuple(compile_pattern(p, self.ticket_pattern) for p in self.production)

    @cached_property
    def former_patterns(self) -> tuple[tuple[NamePattern, tuple[NamePattern, ...]], ...]:
        """(production entry, its former names), compiled, for the entries that list any."""
        return tuple(
            (compile_pattern(entry, self.ticket_pattern), tuple(compile_pattern(n, self.ticket_pattern) for n in names))
            for entry, names in self.former_names.items()
            if names
        )

    @cached_property
    def tag_name_pattern(self) -> NamePattern:
        return compile_pattern(self.tag_pattern, self.ticket_pattern)

    @cached_property
    def promotion_pattern(self) -> NamePattern | None:
        if self.promotion_branch is None:
            return None
        return compile_pattern(self.promotion_branch, self.ticket_pattern)

    @property
    def keeps_changelog(self) -> bool:
        """Named, or to be found: ``changelog: null`` alone says the process keeps none."""
        return self.changelog is not None or self.find_changelog

    @cached_property
    def until_time(self) -> int | None:
        """The first second (UTC) after ``until``: a change that landed from then on is outside the era."""
        if self.until is None:
            return None
        import datetime as dt

        end = dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
        return int(end.timestamp())

    @cached_property
    def era_since_time(self) -> int | None:
        """The first second (UTC) of ``era_since``: a change that landed before it is outside the era."""
        if self.era_since is None:
            return None
        import datetime as dt

        return int(dt.datetime.combine(self.era_since, dt.time(), dt.timezone.utc).timestamp())

    @property
    def has_era_bounds(self) -> bool:
        return self.until is not None or self.era_since is not None

    def in_era(self, landed: int) -> bool:
        """Did a change that landed at ``landed`` (Unix time) land while this process held?"""
        until, since = self.until_time, self.era_since_time
        return (until is None or landed < until) and (since is None or landed >= since)

    def outside_words(self, landed: int) -> str:
        """Why a change that landed at ``landed`` is outside this process's era."""
        since = self.era_since_time
        if since is not None and landed < since:
            return f"landed before the era's since ({self.era_since})"
        return f"landed after the policy's until ({self.until})"

    def era_now(self, now: int) -> Policy:
        """The era that judges the present (branches, settings, a change under review): the
        latest era begun by ``now``, else the first; the policy itself when it has no eras."""
        begun = [e for e in self.eras if e.era_since_time is None or e.era_since_time <= now]
        return begun[-1] if begun else self.eras[0] if self.eras else self

    def era_at(self, landed: int) -> Policy | None:
        """The era (of ``eras``) a change that landed at ``landed`` falls in; the policy itself
        when it has no eras; ``None`` outside every era."""
        if not self.eras:
            return self
        return next((era for era in self.eras if era.in_era(landed)), None)

    def is_hotfix_name(self, name: str) -> bool:
        return any(p.matches(name) for p in self.hotfix_patterns)

    def looks_like_hotfix(self, name: str) -> bool:
        """Is ``name`` a hotfix branch, or trying to be one (``hotfix`` in a misnamed branch)?
        ``check`` and the hooks judge such a branch when it is checked out or pushed."""
        return self.is_hotfix_name(name) or "hotfix" in name.lower()

    def is_release_name(self, name: str) -> bool:
        return any(p.matches(name) for p in self.release_patterns)

    def is_production_name(self, name: str) -> bool:
        return any(p.matches(name) for p in self.production_patterns)

    def is_former_production_name(self, name: str) -> bool:
        """A name some production line had before it was renamed (``master-th4`` for ``main``)."""
        return any(p.matches(name) for _, formers in self.former_patterns for p in formers)

    def is_production_target(self, name: str) -> bool:
        """Does a merge message's ``into NAME`` name a production line, by its name today or a
        former one? (Branches that exist are production by :meth:`is_production_name` only.)"""
        return self.is_production_name(name) or self.is_former_production_name(name)

    def is_line_name(self, line: str, name: str) -> bool:
        """Is ``name`` production line ``line``'s name, today's or a former one listed for it?"""
        if name == line:
            return True
        return any(
            entry.matches(line) and any(p.matches(name) for p in formers) for entry, formers in self.former_patterns
        )

    def is_promotion_name(self, name: str) -> bool:
        """Named like a promotion branch: matches ``promotion_branch``, or starts with its literal
        prefix (``prod/hotfix/``), so that a misnamed promotion branch is still recognised."""
        pattern = self.promotion_pattern
        if pattern is None or self.promotion_branch is None:
            return False
        if pattern.matches(name):
            return True
        source = self.promotion_branch
        if source.startswith("^"):
            return False
        cut = min((i for i in (source.find("{"), source.find("*")) if i >= 0), default=len(source))
        return cut > 0 and name.startswith(source[:cut])

    @cached_property
    def _line_integration_patterns(self) -> tuple[tuple[NamePattern, str | None, dt.date | None], ...]:
        return tuple(
            (compile_pattern(entry, self.ticket_pattern), name, retired)
            for entry, (name, retired) in self.line_integrations.items()
        )

    def integration_setting(self, line: str) -> tuple[str | None, dt.date | None]:
        """Production line ``line``'s integration branch and its retirement day: its entry's own
        ``integration`` when the entry names one (or null), else the top-level one."""
        for entry, name, retired in self._line_integration_patterns:
            if entry.matches(line):
                return name, retired
        return self.integration, self.integration_retired_since

    def integration_for(self, line: str) -> str | None:
        """The integration branch production line ``line`` is released from and back-merged into."""
        return self.integration_setting(line)[0]

    def has_own_integration(self, line: str) -> bool:
        """Does ``line``'s production entry name an integration branch of its own (not null)?"""
        return any(entry.matches(line) and name for entry, name, _ in self._line_integration_patterns)

    @cached_property
    def integrations(self) -> tuple[str, ...]:
        """Every integration branch the policy names, the top-level one first."""
        names = [self.integration, *(name for name, _ in self.line_integrations.values())]
        return tuple(dict.fromkeys(n for n in names if n))

    def is_integration_name(self, name: str) -> bool:
        """Is ``name`` the integration branch of some production line?"""
        return name in self.integrations

    def is_allowed_feeder(self, name: str, line: str | None = None) -> bool:
        """May a merge from ``name`` reach production (line ``line``, else any) without being a hotfix?"""
        if line is not None:
            return name == self.integration_for(line) or self.is_release_name(name)
        return self.is_integration_name(name) or self.is_release_name(name)


def _tuple(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return default


def _integration(value: Any) -> tuple[str | None, dt.date | None]:
    """An ``integration`` value (a name, null, or ``{branch, retired_since}``) as (name, retired)."""
    if isinstance(value, Mapping):
        return value.get("branch"), _date(value.get("retired_since"))
    return (None if value is None else str(value)), None


def _production(
    value: Any,
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]], dict[str, tuple[str | None, dt.date | None]]]:
    """``production``'s entries (a pattern, or ``{branch: PATTERN, former_names: [...], integration:
    NAME}``), the former names of those that list them, and the integration of those that name one."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    names: list[str] = []
    former: dict[str, tuple[str, ...]] = {}
    integrations: dict[str, tuple[str | None, dt.date | None]] = {}
    for item in items:
        if isinstance(item, Mapping):
            branch = str(item.get("branch"))
            names.append(branch)
            if item.get("former_names"):
                former[branch] = former.get(branch, ()) + _tuple(item.get("former_names"), ())
            if "integration" in item:
                integrations.setdefault(branch, _integration(item["integration"]))
        else:
            names.append(str(item))
    return tuple(names), former, integrations


def _date(value: Any) -> dt.date | None:
    import datetime as dt  # here: a hook's policy comes from the cache, built without it

    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def build_policy(data: Mapping[str, Any], source: str, packs: tuple[str, ...] = ()) -> Policy:
    """Convert merged, already validated policy data into a :class:`Policy`.

    Each entry of ``eras`` is a whole policy's data already (the loader applies the era's keys
    over the file's): its ``since`` and ``until`` bound the era, the walk starts at the file's
    ``since``."""
    eras = tuple(
        replace(
            build_policy({**era, "since": data.get("since")}, source, packs),
            era_since=_date(era.get("since")),
        )
        for era in data.get("eras") or ()
    )
    base = Policy(source=source)
    integration, retired = _integration(data.get("integration", base.integration))
    deployed = data.get("deployed_ref", base.deployed_ref)
    environment = base.deployed_environment
    if isinstance(deployed, Mapping):
        environment = str(deployed.get("environment", environment))
        deployed = deployed.get("strategy", base.deployed_ref)
    rules: dict[str, RuleSetting] = {}
    for rule_id, setting in (data.get("rules") or {}).items():
        if isinstance(setting, str):
            rules[rule_id] = RuleSetting(Severity(setting))
        else:
            options = {k: v for k, v in setting.items() if k != "severity"}
            sev = setting.get("severity")
            rules[rule_id] = RuleSetting(Severity(sev) if sev else None, options)
    waivers: tuple[Waiver, ...] = ()
    if data.get("exceptions"):
        from hotfix_lint.policy.waivers import Waiver

        waivers = tuple(
            Waiver(
                rule=str(e["rule"]),
                reason=str(e["reason"]),
                commit=e.get("commit"),
                branch=e.get("branch"),
                expires=_date(e.get("expires")),
                where=str(e.get("__where__", "")),
            )
            for e in data["exceptions"]
        )
    since = data.get("since")
    production, former_names, line_integrations = _production(data.get("production"))
    return Policy(
        source=source,
        production=production or base.production,
        former_names=former_names,
        integration=integration,
        integration_retired_since=retired,
        line_integrations=line_integrations,
        hotfix_branch=_tuple(data.get("hotfix_branch"), base.hotfix_branch) or base.hotfix_branch,
        release_branches=_tuple(data.get("release_branches", list(base.release_branches)), ()),
        ticket_pattern=data.get("ticket_pattern"),
        changelog=data.get("changelog", base.changelog),
        find_changelog="changelog" not in data,
        tag_pattern=str(data.get("tag_pattern", base.tag_pattern)),
        deployed_ref=str(deployed),
        deployed_environment=environment,
        could_not_check=Severity(data.get("could_not_check", base.could_not_check.value)),
        promotion_branch=data.get("promotion_branch"),
        version_files=_tuple(data.get("version_files"), ()),
        since=None if since is None else str(since),
        until=_date(data.get("until")),
        rules=rules,
        exceptions=waivers,
        packs=packs,
        eras=eras,
    )
