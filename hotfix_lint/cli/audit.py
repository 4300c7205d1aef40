"""``hotfix-lint audit`` and ``hotfix-lint merge-reports``: their arguments and what they do.

``cli/parser.py`` builds the two parsers and ``cli/__init__.py`` calls :func:`cmd_audit` or
:func:`cmd_merge_reports`; everything else is imported here, when one of them runs.

Exit status: 0 no errors, 1 errors found, 2 usage error (or a broken ``--policy``), 3 some
repository could not be audited (cloned, read or queried) or the organisation could not be
listed; 3 wins over 1, since the audit is incomplete.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from hotfix_lint import TOOL_NAME, __version__
from hotfix_lint.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATIONS, AuditIncompleteError, UserError

if TYPE_CHECKING:
    import argparse

    from hotfix_lint.audit.model import AuditReport
    from hotfix_lint.audit.selection import Target
    from hotfix_lint.audit.state import AuditCache
    from hotfix_lint.collect.github.conditional import ApiMeter
    from hotfix_lint.collect.github.deadline import GitHubBudget
    from hotfix_lint.collect.github.pacing import Pacer

# -- writing ---------------------------------------------------------------------------------


def render(report: AuditReport, fmt: str, stream: IO[str]) -> None:
    """Write ``report`` in ``fmt`` to ``stream``."""
    if fmt == "json":
        from hotfix_lint.audit.model import to_dict
        from hotfix_lint.report import write_log_safe_json

        write_log_safe_json(to_dict(report), stream)
    elif fmt == "markdown":
        from hotfix_lint.audit.report_markdown import AuditMarkdownReporter

        AuditMarkdownReporter().write(report, stream)
    elif fmt == "html":
        from hotfix_lint.audit.report_html import AuditHtmlReporter

        AuditHtmlReporter().write(report, stream)
    else:
        from hotfix_lint.audit.report_text import AuditTextReporter

        AuditTextReporter().write(report, stream)


def _outputs(formats: Sequence[str] | None, output: str | None) -> list[tuple[str, Path | None]]:
    """``--format FORMAT[=FILE]`` and ``--output FILE``, as ``check`` reads them."""
    from hotfix_lint.cli.options import AUDIT_FORMATS
    from hotfix_lint.output_targets import parse_formats

    targets = parse_formats(formats, output, list(AUDIT_FORMATS), example="html=audit.html")
    return [(name, Path(path) if path else None) for name, path in targets]


def write_outputs(report: AuditReport, outputs: Sequence[tuple[str, Path | None]]) -> None:
    for fmt, path in outputs:
        if path is None:
            render(report, fmt, sys.stdout)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as stream:
                render(report, fmt, stream)
        except OSError as exc:
            raise UserError(f"--output {path}: {exc.strerror or exc}") from exc


def exit_status(report: AuditReport) -> int:
    if report.failed:
        return EXIT_INCOMPLETE
    return EXIT_VIOLATIONS if report.errors else EXIT_OK


def read_report(path: str) -> AuditReport:
    """An audit JSON report from ``path``; a :class:`UserError` naming the file when it is not one."""
    from hotfix_lint.audit.model import AuditFormatError, from_dict

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise UserError(f"{path}: not JSON ({exc})") from exc
    try:
        return from_dict(data, path)
    except AuditFormatError as exc:
        raise UserError(str(exc)) from exc


# -- audit -----------------------------------------------------------------------------------


def _cache_dir(value: str | None) -> Path:
    if value:
        return Path(value).expanduser()
    from hotfix_lint.policy.cache import cache_root

    root = cache_root()
    if root is None:
        raise UserError("--cache DIR is needed: HOTFIX_LINT_CACHE_DIR is set empty (no default cache)")
    return root / "audit"


def cmd_audit(args: argparse.Namespace) -> int:
    from hotfix_lint.audit.baseline import apply_baseline
    from hotfix_lint.audit.model import AuditReport, sort_entries
    from hotfix_lint.audit.progress import ProgressBar, wanted
    from hotfix_lint.audit.selection import Target, check_name, read_repos_file, select
    from hotfix_lint.audit.settings import AuditSettings, load_org_policy
    from hotfix_lint.audit.sharding import parse_shard
    from hotfix_lint.audit.state import AuditCache
    from hotfix_lint.audit.workers import run_audit
    from hotfix_lint.cli.options import github_budget, github_request, parse_now
    from hotfix_lint.collect.git.mirror import without_credentials
    from hotfix_lint.collect.github.conditional import ApiMeter
    from hotfix_lint.collect.github.target import discover_token

    if not (args.org or args.repos or args.repositories):
        raise UserError("name the repositories: --org ORG, --repos FILE, or OWNER/NAME arguments")
    if args.jobs < 1:
        raise UserError(f"--jobs: expected at least 1, got {args.jobs}")
    if not 0 <= args.lock_timeout < float("inf"):
        raise UserError(f"--lock-timeout: expected seconds (0 or more), got {args.lock_timeout:g}")
    if not 0 < args.clone_timeout < float("inf"):
        raise UserError(f"--clone-timeout: expected seconds (more than 0), got {args.clone_timeout:g}")
    outputs = _outputs(args.format, args.output)
    shard = parse_shard(args.shard) if args.shard else None
    now = parse_now(args.now)  # --now as the check reads it
    request = github_request(args)
    budget = github_budget(args)
    budget.pacer = _pacer(args.api_limits)
    if args.rule:
        from hotfix_lint.rules.registry import rules_by_id

        unknown = [r for r in args.rule if r not in rules_by_id()]
        if unknown:
            raise UserError(f"unknown rule {unknown[0]!r}; `hotfix-lint rules` lists them")
    from urllib.parse import urlsplit

    host = urlsplit(request.api_url).hostname if request.api_url else None
    token = discover_token(variable=args.token_env, host=host)
    if args.token_env and token is None:
        raise UserError(f"--token-env: the variable {args.token_env} is not set")
    baseline = read_report(args.baseline) if args.baseline else None
    cache = AuditCache(_cache_dir(args.cache), request.api_url)
    try:
        cache.prepare()
    except OSError as exc:
        raise UserError(f"--cache {cache.root}: {exc.strerror or exc}") from exc
    org_policy = load_org_policy(Path(args.policy) if args.policy else None, cache)
    meter = ApiMeter()

    targets: list[Target] = []
    for org in args.org:
        targets.extend(_list_org(org, cache, request.api_url, token, meter, budget))
    if args.repos:
        targets.extend(Target(name) for name in read_repos_file(Path(args.repos)))
    targets.extend(Target(check_name(name, "repository argument")) for name in args.repositories)
    chosen = select(targets, include=args.include, exclude=args.exclude, shard=shard)

    settings = AuditSettings(
        cache=cache,
        org_policy=org_policy,
        now=now,
        api_url=request.api_url,
        token=token,
        token_env=args.token_env,
        use_repo_policy=not args.no_repo_policy,
        include_archived=args.include_archived,
        rules=tuple(args.rule) if args.rule else None,
        budget=budget,
        lock_timeout=args.lock_timeout,
        clone_timeout=args.clone_timeout,
    )
    bar = ProgressBar(len(chosen), sys.stderr, meter, pacer=budget.pacer, logged=not wanted(sys.stderr))
    started = time.monotonic()
    ahead = ""
    if args.github_api == "graphql":
        from hotfix_lint.audit.graphql_read import read_ahead

        settings = replace(settings, graphql=read_ahead(chosen, settings, meter))
        ahead = f"; GraphQL read {len(settings.graphql or ())} repositories ahead in {time.monotonic() - started:.1f} s"
    try:
        entries = run_audit(chosen, settings, jobs=args.jobs, meter=meter, progress=bar.update)
    finally:
        bar.close()
    elapsed = time.monotonic() - started
    cache.http_cache().prune()  # answers no audit asked about for a month, and beyond its size

    report = AuditReport(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        generated_at=dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if args.now
        else dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        repositories=sort_entries(entries),
        source={
            "orgs": list(args.org),
            "repos_file": args.repos,
            "named": len(args.repositories),
            "include": list(args.include),
            "exclude": list(args.exclude),
            "github_url": without_credentials(request.api_url),
            "shard": str(shard) if shard else None,
            "shards": None,
            "baseline": None,
        },
    )
    if baseline is not None:
        report = apply_baseline(report, baseline, os.path.basename(args.baseline))
    write_outputs(report, outputs)
    if any(path is not None for _, path in outputs):
        _say_done(report, elapsed, meter, outputs, budget.pacer, ahead)
    return exit_status(report)


def _pacer(text: str | None) -> Pacer:
    """The run's pacer, under github.com's published limits or those of ``--api-limits``."""
    from hotfix_lint.collect.github.pacing import ApiLimits, Pacer

    try:
        limits = ApiLimits.parse(text) if text else ApiLimits()
    except ValueError as exc:
        raise UserError(f"--api-limits: {exc}") from None
    return Pacer(limits)


def _list_org(
    org: str, cache: AuditCache, api_url: str | None, token: str | None, meter: ApiMeter, budget: GitHubBudget
) -> list[Target]:
    """Every repository of ``org`` (conditional requests: an unchanged page costs nothing)."""
    from hotfix_lint.audit.selection import Target
    from hotfix_lint.collect.github.org import GitHubReader, GitHubReadError

    try:
        with GitHubReader(api_url, token, store=cache.http_cache(), meter=meter, budget=budget) as reader:
            listed = reader.organisation_repositories(org)
    except GitHubReadError as exc:  # what GitHub said is in it: on one line, inert, no credentials
        from hotfix_lint.audit.report_common import plain
        from hotfix_lint.collect.git.mirror import without_credentials
        from hotfix_lint.report import terminal_safe

        raise AuditIncompleteError(terminal_safe(plain(f"--org {org}: {without_credentials(str(exc))}"))) from None
    return [Target(info.full_name, info) for info in listed]


def _say_done(
    report: AuditReport,
    elapsed: float,
    meter: ApiMeter,
    outputs: Sequence[tuple[str, Path | None]],
    pacer: Pacer | None = None,
    ahead: str = "",
) -> None:
    """One line on stderr when the report went to files (a CI log shows what happened)."""
    from hotfix_lint.audit.report_common import headline

    written = ", ".join(str(path) for _, path in outputs if path is not None)
    budget = f"; API budget left {meter.remaining}" if meter.remaining is not None else ""
    paced = ""
    if pacer is not None:
        reading = pacer.reading()
        paced = f"; paced {reading.waited:.1f} s in all, {reading.refused} rate-limit answers"
    sys.stderr.write(
        f"{TOOL_NAME}: audit: {headline(report)} in {elapsed:.1f} s; {meter.requests} API requests "
        f"({meter.not_modified} not modified){budget}{paced}{ahead}; wrote {written}\n"
    )


def cmd_merge_reports(args: argparse.Namespace) -> int:
    from hotfix_lint.audit.merge import merge_reports
    from hotfix_lint.audit.report_common import plain
    from hotfix_lint.report import terminal_safe

    outputs = _outputs(args.format, args.output)
    named = [(os.path.basename(path), read_report(path)) for path in args.reports]
    report = merge_reports(named)
    write_outputs(report, outputs)
    for note in report.notes:
        if "missing" in note or " is in " in note:
            sys.stderr.write(terminal_safe(f"{TOOL_NAME}: warning: {plain(note)}\n"))  # names from the files
    return exit_status(report)
