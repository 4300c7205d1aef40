"""Facts read from git, converted from pygit2 objects by the collectors (``collect``).

Rules judge these records only; they never touch the repository, so a rule is a pure
function and tests can state exactly what a rule saw. The records of production history
are in :mod:`hotfix_lint.facts.history`, branches and tags in :mod:`hotfix_lint.facts.refs`, a
pending commit message in :mod:`hotfix_lint.facts.commit_message`: a git hook defines only what
it fills in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotfix_lint.facts.changes import HotfixChanges
    from hotfix_lint.facts.commit_message import PendingMessageFact
    from hotfix_lint.facts.github import GitHubFacts
    from hotfix_lint.facts.history import BackMergeFact, HistoryFacts
    from hotfix_lint.facts.promotion import PromotionFacts
    from hotfix_lint.facts.refs import TagFact
    from hotfix_lint.facts.workflows import WorkflowsFact


#: reads a commit's message by its id (``collect.repository.CommitMessages``)
MessageSource = Callable[[str], str]


def first_line(message: str) -> str:
    """A message's first line, as it is (no copy of the rest, as ``split`` would make: a merge's
    message can be long and a history asks of tens of thousands)."""
    end = message.find("\n")
    return message if end < 0 else message[:end]


@dataclass(frozen=True, slots=True, init=False, eq=False)
class CommitFact:
    """One commit, with what rules read of it.

    A whole history holds a fact for most of its commits, and their messages would be most
    of the memory (git/git: 40 MB of 95k messages): a collector may give a ``source`` instead
    of the message, which is then read from the repository each time it is asked for. Rules
    see the same text either way; a pickled fact carries the text (``__reduce__``).
    """

    id: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: int
    committer_name: str
    committer_email: str
    commit_time: int
    #: the message when the collector gave it, else ``None`` (read from ``source``)
    stored_message: str | None
    source: MessageSource | None = field(repr=False)

    def __init__(
        self,
        id: str,
        parents: tuple[str, ...],
        message: str | None,
        author_name: str,
        author_email: str,
        author_time: int,
        committer_name: str,
        committer_email: str,
        commit_time: int,
        *,
        source: MessageSource | None = None,
    ) -> None:
        if message is None and source is None:
            raise ValueError("a commit fact needs its message or a source to read it from")
        # (one call a field, no loop: a history makes a fact for most of its commits)
        set_field = object.__setattr__
        set_field(self, "id", id)
        set_field(self, "parents", parents)
        set_field(self, "author_name", author_name)
        set_field(self, "author_email", author_email)
        set_field(self, "author_time", author_time)
        set_field(self, "committer_name", committer_name)
        set_field(self, "committer_email", committer_email)
        set_field(self, "commit_time", commit_time)
        set_field(self, "stored_message", message)
        set_field(self, "source", None if message is not None else source)

    @property
    def message(self) -> str:
        if self.stored_message is not None or self.source is None:  # __init__ keeps one of the two
            return self.stored_message or ""
        return self.source(self.id)

    @property
    def summary(self) -> str:
        return first_line(self.message).strip()

    @property
    def short(self) -> str:
        return self.id[:10]

    def with_parents(self, parents: tuple[str, ...]) -> CommitFact:
        """The same commit with its parents in another order (a pull merge seen from its line)."""
        return CommitFact(
            self.id, parents, self.stored_message, self.author_name, self.author_email, self.author_time,
            self.committer_name, self.committer_email, self.commit_time, source=self.source,
        )  # fmt: skip

    def _values(self, message: str | None = None) -> tuple[object, ...]:
        return (
            self.id, self.parents, message, self.author_name, self.author_email, self.author_time,
            self.committer_name, self.committer_email, self.commit_time,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CommitFact):
            return NotImplemented
        return self._values(self.message) == other._values(other.message)

    def __hash__(self) -> int:
        return hash((self.id, self.parents))

    def __reduce__(self) -> tuple[type[CommitFact], tuple[object, ...]]:
        return CommitFact, self._values(self.message)


#: reads a commit's author and committer by its id: (author name, author e-mail, author time,
#: committer name, committer e-mail) (``collect.git.reader``)
HeaderSource = Callable[[str], tuple[str, str, int, str, str]]

#: the slots of :class:`CommitFact` that :class:`LazyCommitFact` fills when first asked
_HEADER = ("author_name", "author_email", "author_time", "committer_name", "committer_email")


def _read_on_use(slot: str) -> property:
    stored = CommitFact.__dict__[slot]  # the slot itself, which the property hides

    def get(self: LazyCommitFact) -> object:
        try:
            return stored.__get__(self, LazyCommitFact)
        except AttributeError:  # not read yet
            for name, value in zip(_HEADER, self.header(self.id), strict=True):
                CommitFact.__dict__[name].__set__(self, value)
            return stored.__get__(self, LazyCommitFact)

    return property(get, doc=f"``{slot}``, read from the repository when first asked for")


class LazyCommitFact(CommitFact):
    """A :class:`CommitFact` made from the commit-graph index (id, parents, commit time) whose
    author and committer are read from ``header`` when first asked for: most of a history's
    facts (a hotfix's own commits, a landing's chain) are never asked. Equal to, and pickled
    as, the full fact."""

    __slots__ = ("header",)
    header: HeaderSource

    def __init__(
        self, id: str, parents: tuple[str, ...], commit_time: int, *, header: HeaderSource, source: MessageSource
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "id", id)
        set_field(self, "parents", parents)
        set_field(self, "commit_time", commit_time)
        set_field(self, "stored_message", None)
        set_field(self, "source", source)
        set_field(self, "header", header)

    author_name = _read_on_use("author_name")
    author_email = _read_on_use("author_email")
    author_time = _read_on_use("author_time")
    committer_name = _read_on_use("committer_name")
    committer_email = _read_on_use("committer_email")


#: reads a blob's text by its id (``collect.repository.BlobTexts``)
TextSource = Callable[[str], str]


@dataclass(frozen=True, slots=True, init=False, eq=False)
class FileSnapshot:
    """A file as it is at one commit: its text, absent, too large to read, or a missing object.

    The changelog at each release point of a long history would be most of the memory (1,000
    release points of a 400 KB changelog: 1 GB of text held for one finding each): a collector
    may give the blob's id and a ``source`` instead of the text, which is then read when a rule
    asks for it. Rules see the same text either way; a pickled snapshot carries the text.
    """

    path: str
    commit: str
    #: the blob's id, when the text is read from ``source`` on use
    blob: str | None
    stored_text: str | None
    missing_object: str | None
    #: its size in bytes when it was over the reader's bound and left unread (``text`` is None)
    oversize: int | None
    source: TextSource | None = field(repr=False)

    def __init__(
        self,
        path: str,
        commit: str,
        text: str | None,
        missing_object: str | None = None,
        oversize: int | None = None,
        *,
        blob: str | None = None,
        source: TextSource | None = None,
    ) -> None:
        lazy = text is None and blob is not None and source is not None
        for name, value in (
            ("path", path),
            ("commit", commit),
            ("blob", blob if lazy else None),
            ("stored_text", text),
            ("missing_object", missing_object),
            ("oversize", oversize),
            ("source", source if lazy else None),
        ):
            object.__setattr__(self, name, value)

    @property
    def text(self) -> str | None:
        if self.blob is None or self.source is None:
            return self.stored_text
        return self.source(self.blob)

    @property
    def exists(self) -> bool:
        return self.stored_text is not None or self.blob is not None

    def _values(self) -> tuple[object, ...]:
        return (self.path, self.commit, self.text, self.missing_object, self.oversize)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileSnapshot):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.path, self.commit))

    def __reduce__(self) -> tuple[type[FileSnapshot], tuple[object, ...]]:
        return FileSnapshot, self._values()


@dataclass(frozen=True, slots=True)
class HotfixFact:
    """A hotfix: merged into a production line, or a branch under check not merged yet.

    ``merge`` is ``None`` for a branch under check; its ``mainline`` is then the production
    line's tip, as if it were merged now.
    """

    source: str | None
    line: str
    tip: str
    mainline: str
    own_commits: tuple[CommitFact, ...]
    original_base: str | None
    merge: CommitFact | None = None
    on_first_parent: bool = True
    #: bases other than the original one: production merged into the hotfix branch
    extra_bases: tuple[str, ...] = ()
    #: a root commit among its own commits: it shares no history with the line (an orphan
    #: branch, or one merged with --allow-unrelated-histories), so it has no base at all
    unrelated_root: str | None = None
    #: the original base lies on the line's first-parent chain (in history: the chain production
    #: had when the hotfix landed, which a later fast-forward may have left)
    base_on_line: bool = True
    #: how many first-parent commits of the line the base lies behind the deployed ref (in
    #: history: the one in force when the work started; for a branch under check: ``mainline``)
    base_distance: int | None = 0
    deployed_ref: str | None = None
    deployed_ref_label: str = ""
    version: str | None = None
    tickets: tuple[str, ...] = ()
    release_tag: TagFact | None = None
    release_point: str | None = None
    #: the landing and the automation commits right after it, up to its tag (its release),
    #: oldest first: the changelog and version files are read at its end (``facts.release``)
    release_window: tuple[str, ...] = ()
    changelog: FileSnapshot | None = None
    changed_paths: tuple[str, ...] = ()
    changelog_added_lines: tuple[str, ...] = ()
    #: commits the hotfix brought along that the integration branch already had (cut from it)
    carried: tuple[CommitFact, ...] = ()
    #: the commit the work started on when it is not the deployed ref but has its tree (cut from
    #: integration right after production was merged back into it, nothing else there): the
    #: hotfix started from exactly what production ran and carries nothing undeployed
    cut_at_deployed_tree: str | None = None
    #: None when the policy has no integration branch or it does not exist
    back_merged: bool | None = None
    cherry_picked_to_integration: bool = False
    squashed_into_integration: str | None = None
    #: how and when integration received it: by ancestry (the first time it became reachable)
    #: and, when that was late or never, squash or cherry-pick evidence (``collect.git.back_merge``)
    back_merges: tuple[BackMergeFact, ...] = ()
    #: when the work started: the author time of its first own commit (the one on the base)
    work_started: int | None = None
    #: first-parent commits production moved between the base (deployed when the work started)
    #: and the landing: releases or hotfixes that landed during review
    moved_during_review: int = 0
    missing_objects: tuple[str, ...] = ()
    #: the policy's version files at the release point, and just before the hotfix (collected
    #: only for the rules that read them; see ``collect.git.versions``)
    version_files: tuple[FileSnapshot, ...] = ()
    previous_version_files: tuple[FileSnapshot, ...] = ()
    #: the hotfix's own diff, file by file (``collect.git.versions``; ``None`` when not collected)
    changes: HotfixChanges | None = None
    #: why the classification took this merge for a hotfix (``collect.git.landings``)
    evidence: str = ""
    #: where the branch was really cut from the line (``original_base`` is the earlier merge
    #: instead when the same branch landed before); ``None`` when not known
    cut_from: str | None = None

    @property
    def label(self) -> str:
        if self.source:
            return self.source
        if self.merge is not None:
            return f"merge {self.merge.short}"
        return self.tip[:10]

    @property
    def merged_at(self) -> int | None:
        return None if self.merge is None else self.merge.commit_time


@dataclass(frozen=True, slots=True)
class RepositoryFacts:
    """Everything collected about one repository; ``unavailable`` says what could not be."""

    repository: str
    now: int
    head_branch: str | None = None
    head_commit: str | None = None
    empty: bool = False
    history: HistoryFacts | None = None
    branch: HotfixFact | None = None
    message: PendingMessageFact | None = None
    #: GitHub Actions workflows at the production tip (and at the branch under check)
    workflows: tuple[WorkflowsFact, ...] | None = None
    promotion: PromotionFacts | None = None
    #: what GitHub enforces and records (``collect.github.collector``); None when it was not read
    github: GitHubFacts | None = None
    unavailable: Mapping[str, str] = field(default_factory=dict)
    #: fact kinds deliberately not collected (GitHub without a token), with the reason: the
    #: rules that need them are skipped and named in a note, not reported as could-not-check
    skipped: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
