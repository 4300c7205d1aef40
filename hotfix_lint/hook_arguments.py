"""A hook run's command line: the stages, the rules each runs, and what pre-commit passes,
read without argparse on the way of every commit (argparse only for help and mistakes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hotfix_lint import TOOL_NAME

if TYPE_CHECKING:
    import argparse

STAGES = ("pre-commit", "commit-msg", "pre-push")
#: the rules that judge one hotfix branch
BRANCH_RULES = ("branch-name", "hotfix-base", "ticket-reference", "changelog-entry")
#: the rules each stage runs, by id
STAGE_RULES: dict[str, tuple[str, ...]] = {
    "pre-commit": ("branch-name", "changelog-entry"),
    "commit-msg": ("ticket-reference",),
    "pre-push": BRANCH_RULES,
}
#: the rules a push to a production branch runs over what the push adds
PRODUCTION_PUSH_RULES = ("merge-commit", *BRANCH_RULES)
#: rules that only warn before the push: the branch is still being written
WARN_BEFORE_PUSH = frozenset({"changelog-entry"})
#: the hook ids of .pre-commit-hooks.yaml, by stage (for the "skip once" line)
HOOK_IDS = {stage: f"hotfix-lint-{stage}" for stage in STAGES}
#: what pre-commit names a ref that does not exist (a new branch, a deleted one)
ZERO_SHA = "0" * 40

_EXIT_STATUS = """\
exit status: 0 nothing to report, or not a hotfix branch (warnings allowed),
             1 errors found, 2 broken policy, unreadable repository or usage error
"""


class HookArguments:
    """What one hook run is asked to do: its command line."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.files: list[str] = []
        self.repo = "."
        self.policy: str | None = None
        self.from_ref: str | None = None
        self.to_ref: str | None = None
        self.remote_branch: str | None = None
        self.local_branch: str | None = None


_OPTIONS = {
    "--repo": "repo",
    "--policy": "policy",
    "--from-ref": "from_ref",
    "--to-ref": "to_ref",
    "--remote-branch": "remote_branch",
    "--local-branch": "local_branch",
}


def parse_arguments(argv: Sequence[str]) -> HookArguments:
    """Read what pre-commit passes without argparse (importing it is a noticeable part of a
    hook's time); help and anything unexpected go to :func:`build_parser` for its messages."""
    positional: list[str] = []
    values: dict[str, str] = {}
    items = list(argv)
    while items:
        item = items.pop(0)
        if item == "--":
            positional += items
            break
        name, has_value, value = item.partition("=")
        if name in _OPTIONS and (has_value or items):
            values[_OPTIONS[name]] = value if has_value else items.pop(0)
        elif item.startswith("-"):
            return _parse_with_argparse(argv)
        else:
            positional.append(item)
    if not positional or positional[0] not in STAGES:
        return _parse_with_argparse(argv)
    args = HookArguments(positional[0])
    args.files = positional[1:]
    for key, value in values.items():
        setattr(args, key, value)
    return args


def _parse_with_argparse(argv: Sequence[str]) -> HookArguments:
    parsed = build_parser().parse_args(argv)  # prints help, or a usage error, and exits
    args = HookArguments(parsed.stage)
    for key, value in vars(parsed).items():
        setattr(args, key, value)
    return args


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog=f"{TOOL_NAME} hook",
        description="Run one git hook stage, as .pre-commit-hooks.yaml does: the rules of the stage,\n"
        "with the policy of `hotfix-lint check`, on the current hotfix branch (or the push).",
        epilog=_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stage", choices=STAGES, help="the git hook being run")
    parser.add_argument("files", nargs="*", metavar="FILE", help="commit-msg: the message file (pre-commit passes it)")
    parser.add_argument("--repo", default=".", metavar="DIR", help="repository (default: current directory)")
    parser.add_argument(
        "--policy", metavar="FILE", help="policy file (default: as for `check`: .hotfix-lint.yaml, else 'default')"
    )
    push = parser.add_argument_group("pre-push (default: pre-commit's PRE_COMMIT_* environment variables)")
    push.add_argument("--from-ref", metavar="REV", help="what the remote has (PRE_COMMIT_FROM_REF)")
    push.add_argument("--to-ref", metavar="REV", help="what is pushed (PRE_COMMIT_TO_REF)")
    push.add_argument("--remote-branch", metavar="REF", help="where it goes (PRE_COMMIT_REMOTE_BRANCH)")
    push.add_argument("--local-branch", metavar="REF", help="where it comes from (PRE_COMMIT_LOCAL_BRANCH)")
    return parser
