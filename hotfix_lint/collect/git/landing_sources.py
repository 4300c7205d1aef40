"""Where a hotfix that landed without a merge (squash, rebase, fast-forward) came from, and
whether integration has it. A squash or rebase whose subject names no branch is named by the
one branch still there whose tip has its subject or whose change has its patch id; integration
has it by ancestry, else by an integration-only commit with its patch id or subject (whose
merge there may name the branch); and its base is judged against the deployed ref when its
work started, as a merge's is.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.git.deployed_then import DeployedRefs, first_own
from hotfix_lint.collect.git.direct_landings import named_source
from hotfix_lint.collect.git.line_walk import LineWalk, WalkedLine
from hotfix_lint.collect.git.repository import MISSING, patch_id
from hotfix_lint.facts import CommitFact
from hotfix_lint.facts.git import first_line
from hotfix_lint.facts.history import IntegrationFact
from hotfix_lint.facts.landing import FAST_FORWARD, REBASE, SQUASH, LandingFact
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.fork_safe import cached_property

_PR_SUFFIX = re.compile(r"\s*\(#\d+\)\s*$")
#: how long before a squash or rebase its branch's commits may have reached integration
_EVIDENCE_DAYS = 30


def _plain_subject(message: str) -> str:
    """A commit's subject without GitHub's ``(#123)``: a squash's and its branch's commit agree."""
    return _PR_SUFFIX.sub("", first_line(message).strip())


def _unnamed(landing: LandingFact) -> bool:
    """A squash or rebase inside the era whose source nothing named yet: no hotfix until one does."""
    return landing.source is None and landing.kind in (SQUASH, REBASE) and not landing.outside_era


class LandingSources(LineWalk):
    """The source, back-merge and base of each squash, rebase and fast-forward."""

    @cached_property
    def _branches_by_subject(self) -> dict[str, list[tuple[str, str]]]:
        """(name, tip) of branches other than production and integration, by their tip's subject:
        a squash or rebase keeps its branch's subject. Read once per run, when first needed."""
        found: dict[str, list[tuple[str, str]]] = {}
        for branch in self.reader.branches:
            if self.policy.is_integration_name(branch.name) or self.policy.is_production_name(branch.name):
                continue
            try:
                subject = _plain_subject(self.reader.commit(branch.tip).message)
            except MISSING:
                continue
            found.setdefault(subject, []).append((branch.name, branch.tip))
        return found

    def _named_by_branch(self, line: WalkedLine, landings: list[LandingFact]) -> list[LandingFact]:
        """A squash or rebase whose subject names no branch: the one branch still there, off the
        line, whose tip has its subject (without GitHub's ``(#123)``), else whose change has its
        patch id (branches that moved within ``_EVIDENCE_DAYS`` before it only), is where it
        came from. A branch whose tip is on the line (a merge queue's, a fast-forwarded one) is not."""
        out: list[LandingFact] = []
        words = self._vocabulary(line.name)
        for landing in landings:
            if _unnamed(landing):
                candidates = self._branches_by_subject.get(_plain_subject(landing.commit.message), [])
                names = {name for name, tip in candidates if tip not in line.index}
                how = "has its subject"
                if not names:
                    names = self._branches_by_patch(line, landing)
                    how = "has its patch"
                if len(names) == 1:
                    (name,) = names
                    landing = named_source(landing, name, f"branch '{name}' {how}", words)
                    tips = [tip for branch, tip in candidates if branch == name and tip not in line.index]
                    landing = replace(landing, source_tip=tips[0] if tips else None)
            out.append(landing)
        return out

    def _branches_by_patch(self, line: WalkedLine, landing: LandingFact) -> set[str]:
        """Branches that moved shortly before ``landing`` whose own change is the landing's."""
        if landing.base is None:
            return set()
        window = (landing.landed_at - _EVIDENCE_DAYS * 86400, landing.landed_at)
        candidates = [
            b
            for b in self.reader.branches
            if window[0] <= b.tip_time <= window[1]
            and b.tip not in line.index
            and not self.policy.is_integration_name(b.name)
            and not self.policy.is_production_name(b.name)
        ]
        if not candidates:
            return set()
        wanted = patch_id(self.repo, landing.base, landing.commit.id)
        if wanted is None:
            return set()
        names: set[str] = set()
        for branch in candidates:
            cut = self._merge_base(line, branch.tip, landing.base)
            if cut is not None and patch_id(self.repo, cut, branch.tip) == wanted:
                names.add(branch.name)
        return names

    def _merge_base(self, line: WalkedLine, commit: str, base: str) -> str | None:
        """The merge base of a branch's tip and a commit of the line: from the index (a walk from
        the tip to the line's history), else git."""
        found = self.index.merge_base(str(line.tip.id), commit, base) if self.index is not None else None
        if found is not None:
            return found[0] if found else None
        try:
            cut = self.repo.merge_base(pygit2.Oid(hex=commit), pygit2.Oid(hex=base))
        except MISSING:
            return None
        return str(cut) if cut is not None else None

    def _landings_back_merged(
        self, line: WalkedLine, landings: list[LandingFact], integration: IntegrationFact
    ) -> list[LandingFact]:
        """Whether integration has each hotfix that landed without a merge (squash, rebase,
        fast-forward, push): by ancestry, else by patch id or subject of an integration-only
        commit. One walk of integration's own commits back to shortly before the oldest such
        landing; a merge there of the commit found names the branch the landing came from."""
        # hotfixes, and squashes or rebases whose source integration's merge of it may name
        judged = [
            x for x in landings if (x.hotfix or _unnamed(x)) and x.on_first_parent and len(x.commit.parents) == 1
        ]
        if not judged:
            return landings
        i_tip = pygit2.Oid(hex=integration.tip)
        missing = {str(c.id) for c in self.reader.walk([line.tip.id], [i_tip])}
        cutoff = min(x.commits[-1].author_time for x in judged) - _EVIDENCE_DAYS * 86400
        by_patch: dict[str, str] = {}
        by_subject: dict[str, str] = {}
        merged_as: dict[str, str] = {}  # a branch tip merged into integration -> the branch's name
        if any(x.commit.id in missing for x in judged):
            for commit in self.reader.walk([i_tip], [line.tip.id], sort=SortMode.TIME):
                if commit.commit_time < cutoff:
                    break
                if len(commit.parent_ids) == 2:
                    source = parse_merge_message(commit.message).source
                    if source is not None:
                        merged_as.setdefault(str(commit.parent_ids[1]), source)
                    continue
                if len(commit.parent_ids) != 1:
                    continue
                by_subject.setdefault(_plain_subject(commit.message), str(commit.id))
                try:
                    by_patch.setdefault(str(self.repo.diff(commit.parents[0], commit).patchid), str(commit.id))
                except MISSING:
                    continue
        judged_ids = {x.commit.id for x in judged}
        out: list[LandingFact] = []
        for landing in landings:
            if landing.commit.id not in judged_ids:
                out.append(landing)
                continue
            # an unnamed squash keeps its evidence too: GitHub's pull request may name it a hotfix
            if landing.commit.id not in missing:
                if landing.hotfix or _unnamed(landing):
                    evidence = f"an ancestor of {integration.name}"
                    landing = replace(
                        landing, back_merged=True, back_merge_evidence=evidence, back_merge_commit=landing.commit.id
                    )
                out.append(landing)
                continue
            patch = patch_id(self.repo, landing.base, landing.commit.id) if landing.base else None
            found = by_patch.get(patch or "") or by_subject.get(_plain_subject(landing.commit.message))
            how = f"the same change as {found[:10]} on {integration.name}" if found else f"not in {integration.name}"
            if landing.hotfix or _unnamed(landing):
                landing = replace(
                    landing, back_merged=found is not None, back_merge_evidence=how, back_merge_commit=found
                )
            if landing.source is None and found is not None and found in merged_as:
                name = merged_as[found]
                how_named = f"branch '{name}', as its merge into {integration.name} names it"
                landing = replace(
                    named_source(landing, name, how_named, self._vocabulary(line.name)), source_tip=found
                )
            if not landing.hotfix and landing.source is not None:
                landing = replace(landing, back_merged=None, back_merge_evidence="", back_merge_commit=None)
            out.append(landing)
        return out

    def _landing_bases(self, line: WalkedLine, landings: list[LandingFact]) -> list[LandingFact]:
        """Where each squash, rebase or fast-forward hotfix was cut, when the facts say, against
        the deployed ref when its work started, as for a merge: a fast-forward keeps its base; a
        squash or rebase re-committed its change onto the line's tip, and only its branch, still
        there, shows where the work was cut."""
        out: list[LandingFact] = []
        for landing in landings:
            judged = landing.hotfix and landing.on_first_parent and landing.kind in (SQUASH, REBASE, FAST_FORWARD)
            cut, first = self._landing_cut(line, landing) if judged and landing.base else (None, None)
            if cut is None or landing.base is None:
                out.append(landing)
                continue
            if line.deployed is None:
                line.deployed = DeployedRefs(self.reader, line.name, line.first_parent, line.index, self._newer)
            then = line.deployed.when_started(landing.base, cut, first)
            out.append(
                replace(
                    landing,
                    cut_from=cut,
                    deployed_ref=then.deployed,
                    deployed_ref_label=then.label,
                    base_distance=then.distance,
                    base_on_line=then.base_on_line,
                )
            )
        return out

    def _landing_cut(self, line: WalkedLine, landing: LandingFact) -> tuple[str | None, CommitFact | None]:
        """(where the branch was cut, its first own commit), or (None, None) when unknown."""
        if landing.kind == FAST_FORWARD:
            return landing.base, landing.commits[-1]
        tips = [b.tip for b in self.reader.branches if b.name == landing.source and b.tip not in line.index]
        if landing.source_tip is not None:
            tips = [landing.source_tip]
        if not tips or landing.base is None:
            return None, None
        try:
            own, cut, _ = self.reader.own_commits(pygit2.Oid(hex=tips[0]), pygit2.Oid(hex=landing.base))
        except MISSING:
            return None, None
        return cut, first_own(own, tips[0])
