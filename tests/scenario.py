"""Deterministic throwaway git repositories that act out hotfix processes.

Tests drive the real ``git`` command line (the product reads repositories with pygit2 and
never runs git); this module is the only place that knows how. Every commit gets a fixed
identity and a timestamp from a :class:`Clock` that counts up from a fixed epoch, and git's
global and system configuration are switched off, so the same script yields the same commit
ids on every machine. Helpers are named after the git verbs they run.

Besides the :class:`Scenario` builder this module holds a few process-level helpers shared
by the rule tests: :func:`build_gitflow` (a compliant git-flow history), :func:`land_hotfix`
(one hotfix acted out, with knobs to break each step), :func:`make_policy` and
:func:`run_check` (run the CLI and read its JSON report).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
DEFAULT_IDENTITY = "Dev <dev@example.com>"
GITHUB_IDENTITY = "GitHub <noreply@github.com>"
BOT_IDENTITY = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"

RULE_IDS = ("branch-name", "hotfix-base", "merge-commit", "back-merge", "changelog-entry")

_IDENTITY_RE = re.compile(r"^\s*(?P<name>[^<]*?)\s*<(?P<email>[^>]*)>\s*$")


class GitError(RuntimeError):
    """A git command failed; the message carries the command and git's stderr."""


def parse_identity(identity: str) -> tuple[str, str]:
    """Split ``"Name <email>"`` into its parts."""
    m = _IDENTITY_RE.match(identity)
    if m is None:
        raise ValueError(f"identity must look like 'Name <email>', got {identity!r}")
    return m.group("name"), m.group("email")


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def git_date(when: dt.datetime) -> str:
    """A date in git's raw format (seconds since the epoch, UTC)."""
    return f"@{int(_aware(when).timestamp())} +0000"


@dataclass
class Clock:
    """The scenario's time: each commit takes ``now`` and moves it on by ``step``."""

    now: dt.datetime = EPOCH
    step: dt.timedelta = dt.timedelta(hours=1)

    def tick(self) -> dt.datetime:
        current = self.now
        self.now = current + self.step
        return current

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0) -> dt.datetime:
        self.now = self.now + dt.timedelta(days=days, hours=hours, minutes=minutes)
        return self.now

    def set(self, when: dt.datetime) -> dt.datetime:
        self.now = _aware(when)
        return self.now

    def stamp(self, at: dt.datetime | None) -> dt.datetime:
        """The time for one new object: ``at`` if given (moving the clock past it), else a tick."""
        if at is None:
            return self.tick()
        at = _aware(at)
        if at >= self.now:
            self.now = at + self.step
        return at

    @classmethod
    def recent(cls, days_ago: float = 3) -> Clock:
        """A clock starting ``days_ago`` before the real now (whole hours), for grace-period tests."""
        start = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
        return cls(now=start - dt.timedelta(days=days_ago))


class Scenario:
    """One throwaway repository and the verbs to act out a history in it."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock | None = None,
        identity: str = DEFAULT_IDENTITY,
        home: Path | None = None,
    ) -> None:
        self.path = Path(path)
        self.clock = clock if clock is not None else Clock()
        self.identity = identity
        self.home = Path(home) if home is not None else self.path.parent / ".home"
        self.home.mkdir(parents=True, exist_ok=True)
        #: named commits a builder wants to hand to its tests ("hotfix_merge" -> sha)
        self.marks: dict[str, str] = {}
        self._generated = 0

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        path: Path,
        *,
        clock: Clock | None = None,
        identity: str = DEFAULT_IDENTITY,
        home: Path | None = None,
        default_branch: str = "main",
        bare: bool = False,
    ) -> Scenario:
        """``git init`` a new repository at ``path`` whose default branch is ``main``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        scenario = cls(path, clock=clock, identity=identity, home=home)
        args = ["init", "-q", "-b", default_branch]
        if bare:
            args.append("--bare")
        scenario.git(*args, ".")
        scenario._configure()
        return scenario

    def _configure(self) -> None:
        name, email = parse_identity(self.identity)
        for key, value in (
            ("user.name", name),
            ("user.email", email),
            ("commit.gpgsign", "false"),
            ("tag.gpgsign", "false"),
            ("gc.auto", "0"),
            ("core.autocrlf", "false"),
            ("advice.detachedHead", "false"),
            ("protocol.file.allow", "always"),
        ):
            self.git("config", key, value)

    # -- running git ------------------------------------------------------------------------

    def env(
        self,
        when: dt.datetime | None = None,
        *,
        author: str | None = None,
        committer: str | None = None,
    ) -> dict[str, str]:
        """The environment of every git command: isolated config, fixed identity and dates."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        author_name, author_email = parse_identity(author or self.identity)
        committer_name, committer_email = parse_identity(committer or author or self.identity)
        date = git_date(when if when is not None else self.clock.now)
        env.update(
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_CONFIG_NOSYSTEM="1",
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            GIT_TERMINAL_PROMPT="0",
            GIT_EDITOR="true",
            GIT_SEQUENCE_EDITOR="true",
            GIT_PAGER="cat",
            LC_ALL="C",
            LANG="C",
            TZ="UTC",
            GIT_AUTHOR_NAME=author_name,
            GIT_AUTHOR_EMAIL=author_email,
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_NAME=committer_name,
            GIT_COMMITTER_EMAIL=committer_email,
            GIT_COMMITTER_DATE=date,
        )
        return env

    def git(
        self,
        *args: str,
        when: dt.datetime | None = None,
        author: str | None = None,
        committer: str | None = None,
        cwd: Path | None = None,
        input: str | None = None,
        check: bool = True,
    ) -> str:
        """Run ``git args`` in the repository; return stdout without the final newline."""
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd or self.path,
            env=self.env(when, author=author, committer=committer),
            input=input,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and proc.returncode != 0:
            raise GitError(f"git {' '.join(args)} failed with status {proc.returncode}:\n{proc.stderr}{proc.stdout}")
        return proc.stdout.rstrip("\n")

    # -- the working tree -------------------------------------------------------------------

    def write(self, path: str, content: str | bytes) -> None:
        """Write a file in the working tree (no commit)."""
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    def read(self, path: str, rev: str | None = None) -> str:
        """A file's text in the working tree, or at ``rev``."""
        if rev is not None:
            return self.git("show", f"{rev}:{path}") + "\n"
        return (self.path / path).read_text(encoding="utf-8")

    def _stage(self, files: Mapping[str, str | bytes | None]) -> None:
        for name, content in files.items():
            if content is None:
                self.git("rm", "-q", "--ignore-unmatch", "--", name)
            else:
                self.write(name, content)
                self.git("add", "--", name)

    # -- verbs ------------------------------------------------------------------------------

    def commit(
        self,
        message: str,
        files: Mapping[str, str | bytes | None] | None = None,
        *,
        author: str | None = None,
        committer: str | None = None,
        at: dt.datetime | None = None,
        allow_empty: bool = False,
    ) -> str:
        """Commit ``files`` ({path: content, None deletes}) on the current branch; return its id.

        Without ``files`` (and without ``allow_empty``) the commit adds a small generated file
        of its own, so every commit has a real diff that can be cherry-picked and reverted.
        """
        if files is None and not allow_empty:
            self._generated += 1
            files = {f"changes/{self._generated:04d}.txt": message + "\n"}
        if files:
            self._stage(files)
        when = self.clock.stamp(at)
        args = ["commit", "-q", "--no-verify", "--cleanup=whitespace", "-F", "-"]
        if allow_empty:
            args.append("--allow-empty")
        self.git(*args, when=when, author=author, committer=committer, input=message)
        return self.rev("HEAD")

    def branch(self, name: str, start: str | None = None, *, checkout: bool = False) -> str:
        """``git branch name [start]`` (and switch to it with ``checkout=True``); return its tip."""
        self.git("branch", name, *([start] if start else []))
        if checkout:
            self.checkout(name)
        return self.rev(name)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def detach(self, rev: str) -> None:
        """Leave HEAD detached at ``rev``."""
        self.git("checkout", "-q", "--detach", rev)

    def merge(
        self,
        name: str,
        no_ff: bool = True,
        message: str | None = None,
        *,
        author: str | None = None,
        committer: str | None = None,
        at: dt.datetime | None = None,
    ) -> str:
        """A real ``git merge`` of ``name`` into the current branch (``--no-ff`` by default)."""
        args = ["merge", "-q", "--no-ff" if no_ff else "--ff"]
        args += ["-m", message] if message is not None else ["--no-edit"]
        self.git(*args, name, when=self.clock.stamp(at), author=author, committer=committer)
        return self.rev("HEAD")

    def merge_ff(self, name: str) -> str:
        """Fast-forward the current branch to ``name`` (``git merge --ff-only``)."""
        self.git("merge", "-q", "--ff-only", name)
        return self.rev("HEAD")

    def squash(
        self,
        name: str,
        message: str | None = None,
        *,
        author: str | None = None,
        committer: str | None = None,
        at: dt.datetime | None = None,
    ) -> str:
        """``git merge --squash name`` and commit; ``message=None`` keeps git's "Squashed commit"."""
        self.git("merge", "-q", "--squash", name)
        when = self.clock.stamp(at)
        if message is None:
            self.git("commit", "-q", "--no-verify", "--no-edit", when=when, author=author, committer=committer)
        else:
            self.git(
                "commit", "-q", "--no-verify", "--cleanup=whitespace", "-F", "-",
                when=when, author=author, committer=committer, input=message,
            )  # fmt: skip
        return self.rev("HEAD")

    def rebase_merge(
        self,
        name: str,
        *,
        committer: str | None = None,
        at: dt.datetime | None = None,
    ) -> str:
        """GitHub's "Rebase and merge": re-commit ``name``'s commits onto the current branch.

        Every re-committed commit gets the same committer (GitHub's, unless ``committer``
        says otherwise) and committer time (one instant), authors and author dates are kept,
        and the current branch is fast-forwarded; ``name`` itself is left where it was, as on
        GitHub.
        """
        target = self.current_branch()
        if target is None:
            raise GitError("rebase_merge needs a branch checked out")
        when = self.clock.stamp(at)
        self.detach(name)
        self.git("rebase", "-q", "--force-rebase", target, when=when, committer=committer or GITHUB_IDENTITY)
        rebased = self.rev("HEAD")
        self.checkout(target)
        self.git("merge", "-q", "--ff-only", rebased)
        return rebased

    def octopus(
        self,
        *names: str,
        message: str | None = None,
        author: str | None = None,
        at: dt.datetime | None = None,
    ) -> str:
        """Merge several branches at once into the current branch."""
        args = ["merge", "-q", "--no-ff"]
        args += ["-m", message] if message is not None else ["--no-edit"]
        self.git(*args, *names, when=self.clock.stamp(at), author=author)
        return self.rev("HEAD")

    def cherry_pick(
        self, sha: str, x: bool = False, *, committer: str | None = None, at: dt.datetime | None = None
    ) -> str:
        """``git cherry-pick [-x] sha`` onto the current branch (the author is kept)."""
        args = ["cherry-pick"] + (["-x"] if x else [])
        if len(self.parents(sha)) > 1:
            args += ["-m", "1"]
        self.git(*args, sha, when=self.clock.stamp(at), committer=committer or self.identity)
        return self.rev("HEAD")

    def revert(self, sha: str, *, author: str | None = None, at: dt.datetime | None = None) -> str:
        """``git revert --no-edit sha`` (``-m 1`` for a merge commit)."""
        args = ["revert", "--no-edit"]
        if len(self.parents(sha)) > 1:
            args += ["-m", "1"]
        self.git(*args, sha, when=self.clock.stamp(at), author=author)
        return self.rev("HEAD")

    def tag(
        self,
        name: str,
        annotated: bool = True,
        message: str | None = None,
        *,
        target: str = "HEAD",
        at: dt.datetime | None = None,
        tagger: str | None = None,
    ) -> str:
        """Tag ``target`` (annotated by default, tagger time from the clock); return the commit."""
        if annotated:
            self.git(
                "tag", "-a", "-m", message if message is not None else name, name, target,
                when=self.clock.stamp(at), committer=tagger,
            )  # fmt: skip
        else:
            self.git("tag", name, target)
        return self.rev(name)

    def delete_branch(self, name: str) -> None:
        self.git("branch", "-D", name)

    def rename_branch(self, old: str, new: str) -> None:
        self.git("branch", "-m", old, new)

    def pr_merge(
        self,
        number: int,
        owner: str,
        branch: str,
        title: str | None = None,
        *,
        author: str | None = None,
        committer: str = GITHUB_IDENTITY,
        at: dt.datetime | None = None,
    ) -> str:
        """A GitHub "Create a merge commit": ``--no-ff`` with GitHub's message, committed by GitHub."""
        if title is None:
            title = self.subject(branch)
        message = f"Merge pull request #{number} from {owner}/{branch}\n\n{title}"
        return self.merge(branch, message=message, author=author, committer=committer, at=at)

    def update_ref(self, ref: str, rev: str) -> None:
        """Point any ref (e.g. ``refs/remotes/origin/hotfix/x``) at ``rev``."""
        self.git("update-ref", ref, self.rev(rev))

    # -- other repositories ------------------------------------------------------------------

    def _sibling(self, suffix: str) -> Path:
        n = 1
        while True:
            candidate = self.path.parent / f"{self.path.name}-{suffix}{'' if n == 1 else n}"
            if not candidate.exists():
                return candidate
            n += 1

    def clone(self, *, bare: bool = False) -> Scenario:
        """A full clone next to this repository, sharing this scenario's clock."""
        dest = self._sibling("clone")
        self.git("clone", "-q", *(["--bare"] if bare else []), str(self.path), str(dest), cwd=self.path.parent)
        other = Scenario(dest, clock=self.clock, identity=self.identity, home=self.home)
        other._configure()
        return other

    def shallow_clone(self, depth: int, *, branch: str | None = None, single_branch: bool = True) -> Scenario:
        """``git clone --depth`` through a file:// URL (a plain path would ignore the depth)."""
        dest = self._sibling("shallow")
        args = ["clone", "-q", "--depth", str(depth)]
        if branch:
            args += ["--branch", branch]
        if not single_branch:
            args.append("--no-single-branch")
        self.git(*args, self.path.resolve().as_uri(), str(dest), cwd=self.path.parent)
        other = Scenario(dest, clock=self.clock, identity=self.identity, home=self.home)
        other._configure()
        return other

    def fetch(self, remote: str = "origin") -> None:
        self.git("fetch", "-q", remote)

    def push(self, remote: str = "origin", *refspecs: str) -> None:
        self.git("push", "-q", remote, *refspecs)

    # -- reading ------------------------------------------------------------------------------

    def rev(self, name: str) -> str:
        """The commit id ``name`` resolves to (tags peeled)."""
        return self.git("rev-parse", "--verify", "-q", f"{name}^{{commit}}")

    def exists(self, name: str) -> bool:
        return self.git("rev-parse", "--verify", "-q", name, check=False) != ""

    def parents(self, rev: str) -> list[str]:
        line = self.git("rev-list", "--parents", "-n", "1", rev)
        return line.split()[1:]

    def subject(self, rev: str) -> str:
        return self.git("log", "-1", "--format=%s", rev)

    def message(self, rev: str) -> str:
        return self.git("log", "-1", "--format=%B", rev).rstrip("\n")

    def first_parents(self, rev: str = "HEAD") -> list[str]:
        """The first-parent chain of ``rev``, newest first."""
        out = self.git("rev-list", "--first-parent", rev)
        return out.split() if out else []

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = subprocess.run(
            ["git", "merge-base", "--is-ancestor", ancestor, descendant],
            cwd=self.path,
            env=self.env(),
            capture_output=True,
            check=False,
        )
        return proc.returncode == 0

    def current_branch(self) -> str | None:
        """The checked-out branch, or ``None`` when HEAD is detached."""
        out = self.git("symbolic-ref", "-q", "--short", "HEAD", check=False)
        return out or None

    def is_shallow(self) -> bool:
        return self.git("rev-parse", "--is-shallow-repository") == "true"

    def refs(self) -> dict[str, str]:
        """Every ref and the object it points at (tag objects not peeled)."""
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)")
        return dict(line.split(" ", 1) for line in out.splitlines())

    def __repr__(self) -> str:
        return f"Scenario({str(self.path)!r})"


# -- the git-flow process, acted out ------------------------------------------------------------

CHANGELOG_HEAD = """\
# Changelog

All notable changes to this project are documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).

"""


def changelog_section(version: str, date: str, entries: Iterable[str], heading: str = "Fixed") -> str:
    lines = [f"## [{version}] - {date}", f"### {heading}", *(f"- {e}" for e in entries)]
    return "\n".join(lines) + "\n\n"


def add_changelog_section(text: str, section: str) -> str:
    """Insert ``section`` above the newest release heading (Keep a Changelog order)."""
    m = re.search(r"^## \[(?!Unreleased)", text, flags=re.MULTILINE)
    if m is None:
        return text.rstrip("\n") + "\n\n" + section
    return text[: m.start()] + section + text[m.start() :]


def build_gitflow(s: Scenario) -> Scenario:
    """A compliant git-flow history (the CompactConnect process with a changelog and tags).

    main: root commit with CHANGELOG.md "## [1.0.0] - 2025-01-01", tagged v1.0.0; develop
    from main with two feature merges; ``hotfix/fix-login-timeout`` cut from main's tip with
    "Fix: login timeout (ABC-123)" adding the 1.0.1 section; merged ``--no-ff`` into main and
    tagged v1.0.1 on the merge; main merged into develop. HEAD is left on main.
    ``s.marks`` names the interesting commits.
    """
    changelog = CHANGELOG_HEAD + changelog_section("1.0.0", "2025-01-01", ["First release."], "Added")
    s.marks["root"] = s.commit(
        "Initial commit",
        {
            "README.md": "# Example service\n",
            "CHANGELOG.md": changelog,
            # parallel hotfixes all insert a changelog section at the same place
            ".gitattributes": "CHANGELOG.md merge=union\n",
            "app/login.py": "TIMEOUT = 5\n",
        },
    )
    s.tag("v1.0.0", message="Release 1.0.0")
    s.branch("develop", checkout=True)
    for feature in ("feature/search", "feature/export"):
        s.branch(feature, checkout=True)
        name = feature.split("/", 1)[1]
        s.commit(f"Add {name}", {f"app/{name}.py": f"def {name}():\n    return None\n"})
        s.commit(f"Test {name}", {f"tests/test_{name}.py": f"def test_{name}():\n    pass\n"})
        s.checkout("develop")
        s.marks[f"merge_{name}"] = s.merge(feature)
    hotfix_day = dt.datetime(2025, 1, 5, 9, tzinfo=dt.timezone.utc)
    if s.clock.now < hotfix_day:  # a clock set near the real now (grace tests) keeps its time
        s.clock.set(hotfix_day)
    s.checkout("main")
    s.branch("hotfix/fix-login-timeout", checkout=True)
    text = add_changelog_section(
        s.read("CHANGELOG.md"), changelog_section("1.0.1", "2025-01-05", ["login timeout (ABC-123)"])
    )
    s.marks["hotfix_fix"] = s.commit(
        "Fix: login timeout (ABC-123)", {"app/login.py": "TIMEOUT = 30\n", "CHANGELOG.md": text}
    )
    s.checkout("main")
    s.marks["hotfix_merge"] = s.merge("hotfix/fix-login-timeout")
    s.tag("v1.0.1", message="Hotfix 1.0.1")
    s.checkout("develop")
    s.marks["back_merge"] = s.merge("main")
    s.checkout("main")
    return s


@dataclass
class Hotfix:
    """What :func:`land_hotfix` made: the branch, its base, its commits and their landing."""

    branch: str
    base: str
    commits: list[str] = field(default_factory=list)
    merge: str | None = None
    tag: str | None = None
    back_merge: str | None = None

    @property
    def tip(self) -> str:
        return self.commits[-1]


def land_hotfix(
    s: Scenario,
    branch: str = "hotfix/fix-crash",
    *,
    version: str | None = "1.0.2",
    ticket: str | None = "ABC-124",
    start: str = "main",
    production: str = "main",
    integration: str | None = "develop",
    how: str = "merge",
    tag: bool = True,
    changelog: bool | str = True,
    back_merge: str | None = "main",
    commits: int = 1,
    description: str | None = None,
    pr_number: int = 42,
) -> Hotfix:
    """Act out one git-flow hotfix, compliant by default; each knob breaks one step.

    ``how``: merge (``--no-ff``), pr (GitHub merge commit), squash, rebase, ff or none.
    ``changelog``: True (section with ticket), "no-ticket", or False (CHANGELOG.md untouched).
    ``back_merge``: "main" (merge production into integration), "branch" (merge the hotfix
    branch into integration), "squash", "cherry-pick", or None.
    """
    description = description or branch.rsplit("/", 1)[-1].replace("-", " ")
    suffix = f" ({ticket})" if ticket else ""
    base = s.rev(start)
    s.branch(branch, start, checkout=True)
    made = Hotfix(branch=branch, base=base)
    for n in range(commits):
        files: dict[str, str | bytes | None] = {f"app/{_slug(branch)}_{n}.py": f"FIXED = {n}\n"}
        if n == commits - 1 and changelog and version:
            entry = description + (suffix if changelog != "no-ticket" else "")
            date = s.clock.now.date().isoformat()
            files["CHANGELOG.md"] = add_changelog_section(
                s.read("CHANGELOG.md"), changelog_section(version, date, [entry])
            )
        subject = f"Fix: {description}{suffix}" if n == 0 else f"Fix: {description}, part {n + 1}"
        made.commits.append(s.commit(subject, files))
    s.checkout(production)
    if how == "merge":
        made.merge = s.merge(branch)
    elif how == "pr":
        made.merge = s.pr_merge(pr_number, "acme", branch, title=f"Fix: {description}")
    elif how == "squash":
        made.merge = s.squash(branch, f"Fix: {description} (#{pr_number})")
    elif how == "rebase":
        made.merge = s.rebase_merge(branch)
    elif how == "ff":
        made.merge = s.merge_ff(branch)
    elif how != "none":
        raise ValueError(f"unknown landing {how!r}")
    if tag and version and how != "none":
        made.tag = f"v{version}"
        s.tag(made.tag, message=f"Hotfix {version}")
    if integration and back_merge:
        s.checkout(integration)
        if back_merge == "main":
            made.back_merge = s.merge(production)
        elif back_merge == "branch":
            made.back_merge = s.merge(branch)
        elif back_merge == "squash":
            made.back_merge = s.squash(branch, f"Fix: {description}")
        elif back_merge == "cherry-pick":
            for sha in made.commits:
                made.back_merge = s.cherry_pick(sha, x=True)
        else:
            raise ValueError(f"unknown back_merge {back_merge!r}")
    s.checkout(production)
    return made


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


# -- running the CLI --------------------------------------------------------------------------

BASE_POLICY: dict[str, Any] = {
    "production": "main",
    "integration": "develop",
    "hotfix_branch": "hotfix/{slug}",
    "release_branches": ["release/*"],
    "changelog": "CHANGELOG.md",
    "tag_pattern": "v{version}",
    "deployed_ref": "branch",
}


def make_policy(
    *,
    only: str | None = None,
    rules: Mapping[str, Any] | None = None,
    **keys: Any,
) -> dict[str, Any]:
    """A complete policy: every rule at ``error`` (or ``off`` but ``only``), then ``rules``.

    ``rules`` values are a severity or a mapping ``{severity, option: value...}``; a mapping
    without ``severity`` keeps the rule's severity from the first step.
    """
    if only is not None and only not in RULE_IDS:
        raise ValueError(f"unknown rule {only!r}")
    data = {**BASE_POLICY, **keys}
    settings: dict[str, Any] = {rid: ("off" if only and rid != only else "error") for rid in RULE_IDS}
    for rid, value in (rules or {}).items():
        if isinstance(value, Mapping) and "severity" not in value:
            value = {"severity": settings[rid] if settings[rid] != "off" else "error", **value}
        settings[rid] = dict(value) if isinstance(value, Mapping) else value
    data["rules"] = settings
    return data


def run_check(
    repo: Scenario | Path | str,
    *args: str,
    policy: Mapping[str, Any] | None = None,
) -> tuple[int, dict[str, Any] | None]:
    """Run ``hotfix-lint check`` on ``repo``; return the exit status and the JSON report.

    With ``policy``, ``.hotfix-lint.yaml`` is written at the top of the working tree first
    (untracked: it does not change the history under test). The report is ``None`` when the
    run wrote none (a usage error, exit 2).
    """
    import yaml

    from hotfix_lint.cli import main

    path = repo.path if isinstance(repo, Scenario) else Path(repo)
    if policy is not None:
        (path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(dict(policy), sort_keys=False), encoding="utf-8")
    out = path.parent / f".report-{path.name}.json"
    if out.exists():
        out.unlink()
    status = main(["check", "--repo", str(path), "--format", "json", "--output", str(out), *args])
    report = None
    if out.exists() and out.stat().st_size:
        report = json.loads(out.read_text(encoding="utf-8"))
    return status, report


def violations(
    report: Mapping[str, Any] | None,
    rule: str | None = None,
    *,
    severity: str | None = None,
    waived: bool | None = False,
) -> list[dict[str, Any]]:
    """The report's violations, filtered (unwaived ones by default)."""
    assert report is not None, "no JSON report was written"
    found = []
    for v in report["violations"]:
        if rule is not None and v["rule"] != rule:
            continue
        if severity is not None and v["severity"] != severity:
            continue
        if waived is not None and bool(v.get("waived")) != waived:
            continue
        found.append(v)
    return found


def rules_found(report: Mapping[str, Any] | None, *, severity: str | None = None) -> set[str]:
    """Ids of the rules with an unwaived violation in ``report``."""
    return {v["rule"] for v in violations(report, severity=severity)}


def same_commit(reported: str | None, *shas: str) -> bool:
    """Does a reported commit id (full or abbreviated, >= 7 hex) name one of ``shas``?"""
    if not reported or len(reported) < 7:
        return False
    return any(sha.startswith(reported.lower()) for sha in shas)


def describe(report: Mapping[str, Any] | None) -> str:
    """A report in a few lines, for assertion messages."""
    if report is None:
        return "<no report>"
    lines = [f"summary: {report.get('summary')}"]
    lines += [
        f"  {v['rule']} [{v['severity']}{', waived' if v.get('waived') else ''}] {v['message']}"
        f" (ref={v.get('ref')}, commit={v.get('commit')}, hint={v.get('hint')})"
        for v in report.get("violations", [])
    ]
    return "\n".join(lines)


def assert_only(report: Mapping[str, Any] | None, rule: str, *, severity: str | None = None) -> list[dict[str, Any]]:
    """Assert that ``rule`` and no other rule has unwaived violations; return them."""
    found = violations(report)
    assert found, f"expected {rule} to fire\n{describe(report)}"
    assert {v["rule"] for v in found} == {rule}, describe(report)
    if severity is not None:
        assert {v["severity"] for v in found} == {severity}, describe(report)
    return found


def assert_clean(status: int, report: Mapping[str, Any] | None) -> None:
    """Assert a run passed with nothing to say (no violations at all, exit 0)."""
    assert report is not None, "no JSON report was written"
    assert violations(report, waived=None) == [], describe(report)
    assert status == 0, describe(report)


def all_text(report: Mapping[str, Any] | None) -> str:
    """Everything the report says, as one string (for "it mentions X somewhere")."""
    return json.dumps(report, sort_keys=True)


__all__: Sequence[str] = (
    "BASE_POLICY",
    "BOT_IDENTITY",
    "DEFAULT_IDENTITY",
    "EPOCH",
    "GITHUB_IDENTITY",
    "RULE_IDS",
    "Clock",
    "GitError",
    "Hotfix",
    "Scenario",
    "add_changelog_section",
    "all_text",
    "assert_clean",
    "assert_only",
    "build_gitflow",
    "changelog_section",
    "describe",
    "land_hotfix",
    "make_policy",
    "rules_found",
    "run_check",
    "same_commit",
    "violations",
)
