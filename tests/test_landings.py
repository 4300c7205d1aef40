"""The pure classification of changes that reached a production line (``collect.git.landings``).

Each step is written by hand: a commit, and what the graph says of it (on develop's
first-parent history or not, its second parent there or not, branches pointing at it).
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import count

from hotfix_lint.collect.git.direct_landings import squash_source
from hotfix_lint.collect.git.landing_inputs import Step, Vocabulary
from hotfix_lint.collect.git.landings import classify_line
from hotfix_lint.collect.git.merge_verdicts import classify_merge
from hotfix_lint.facts import CommitFact, RepositoryFacts
from hotfix_lint.facts.github import CouldNotCheck, GitHubFacts, PullRequestFact
from hotfix_lint.facts.history import HistoryFacts, IntegrationFact, ProductionLineFact
from hotfix_lint.facts.landing import LandingFact
from hotfix_lint.policy.model import Policy
from hotfix_lint.rules.base import RuleContext

POLICY = Policy(source="test", production=("main",), integration="develop", release_branches=("release/*",))
BOT = re.compile(r"dependabot\[bot\]")
WORDS = Vocabulary(POLICY, "main", authors=(BOT,), messages=(re.compile(r"^chore\(release\)"),))
_ids = count(1)


def commit(message: str, *parents: str, author: str = "Dev", email: str = "dev@example.com") -> CommitFact:
    n = next(_ids)
    return CommitFact(f"{n:040x}", parents, message, author, email, 1000 + n, author, email, 1000 + n)


def merge(message: str, second_on_integration: bool = False, **kw: object) -> Step:
    return Step(commit(message, "a" * 40, "b" * 40), second_on_integration=second_on_integration, **kw)  # type: ignore[arg-type]


def kind(step: Step) -> str:
    return classify_merge(step, WORDS).kind


def test_hotfix_merges() -> None:
    assert kind(merge("Merge branch 'hotfix/crash'")) == "hotfix"
    assert kind(merge("Merge pull request #12 from someone/patch-1")) == "hotfix"
    assert kind(merge("Merge pull request #13 from acme/hotfix/x", second_on_integration=True)) == "hotfix"
    verdict = classify_merge(merge("Merge pull request #12 from someone/patch-1"), WORDS)
    assert verdict.pull_request == 12 and verdict.source == "patch-1" and "neither" in verdict.evidence


def test_release_merges() -> None:
    assert kind(merge("Merge branch 'develop'")) == "release"
    assert kind(merge("Merge branch 'release/3.2'")) == "release"
    assert kind(merge("Release 3.2.0")) == "release"
    assert kind(merge("Release v3.2.0")) == "release"
    # an outside PR merge whose second parent is on develop's first-parent history
    assert kind(merge("Merge pull request #12 from someone/patch-1", second_on_integration=True)) == "release"
    assert kind(merge("Some custom words", second_on_integration=True)) == "release"
    assert kind(merge("Some custom words")) == "hotfix"


def test_sync_automation_and_foreign_targets() -> None:
    assert kind(merge("Merge branch 'main' of github.com:acme/app")) == "sync"
    bot = merge("Merge pull request #7 from acme/dependabot/pip/requests-2.32", tip_author=("dependabot[bot]", "x@y"))
    assert kind(bot) == "automation"
    into = classify_merge(merge("Merge branch 'feature/x' into develop"), WORDS)
    assert into.kind == "fast-forward" and into.foreign_target == "develop"


def test_squash_source_from_subject() -> None:
    assert squash_source("hotfix/login: fix the timeout (#45)", WORDS) == "hotfix/login"
    assert squash_source("Fix thing (#45)", WORDS) is None


def _chain(*steps: Step) -> list[Step]:
    """Steps given oldest first, returned newest first as the collector hands them over."""
    return list(reversed(steps))


def test_fast_forward_to_develop_is_one_event() -> None:
    root = Step(commit("Initial commit"), on_integration=True)
    f1 = Step(commit("Merge branch 'feature/a' into develop", "1" * 40, "2" * 40), on_integration=True)
    c = Step(commit("Work on develop", f1.commit.id), on_integration=True)
    f2 = Step(commit("Merge pull request #3 from acme/feature-b", c.commit.id, "3" * 40), on_integration=True)
    landings = classify_line(_chain(root, f1, c, f2), WORDS, integration_known=True)
    assert [x.kind for x in landings] == ["fast-forward", "bootstrap"]
    ff = landings[0]
    assert len(ff.commits) == 3 and ff.source == "develop" and not ff.hotfix


def test_a_pull_request_titled_as_dependabot_titles_is_automation() -> None:
    """pi-hole e773e3302c: "Bump actions/setup-python from 4.2.0 to 4.3.0 (#4980)", a titled merge
    whose second parent a maintainer wrote: dependabot's pull request by its exact title form."""
    assert kind(merge("Bump actions/setup-python from 4.2.0 to 4.3.0 (#4980)")) == "automation"
    assert kind(merge("chore(deps): bump lodash from 4.17.20 to 4.17.21 in /web (#7)")) == "automation"
    assert kind(merge("Bump actions/checkout from a12a394 to 8f4b7f8 (#8)")) == "automation"
    # people's words, or no pull request: not dependabot's form
    assert kind(merge("Bump version to 1.2 (#5)")) == "hotfix"
    assert kind(merge("Bump version from 1.1 to 1.2 (#6)")) == "hotfix"
    assert kind(merge("Bump actions/setup-python from 4.2.0 to 4.3.0")) == "hotfix"
    assert kind(merge("Bump the deps group with 3 updates (#9)")) == "hotfix"
    no_bots = Vocabulary(POLICY, "main")  # a policy that names no dependabot: its title is no evidence
    assert classify_merge(merge("Bump actions/setup-python from 4.2.0 to 4.3.0 (#4980)"), no_bots).kind == "hotfix"


def test_shared_history_without_evidence_stays_production() -> None:
    """develop cut from main: main's own older merges are on develop's history too."""
    root = Step(commit("Initial commit"), on_integration=True)
    pr = Step(commit("Merge pull request #3 from acme/fix-b", root.commit.id, "3" * 40), on_integration=True)
    landings = classify_line(_chain(root, pr), WORDS, integration_known=True)
    assert [x.kind for x in landings] == ["hotfix", "bootstrap"]


def test_runs_squash_rebase_push_automation_bootstrap() -> None:
    root = Step(commit("Initial commit"))
    setup = Step(commit("Add CI", root.commit.id))
    m = merge("Merge branch 'hotfix/a'")
    squash = Step(commit("Fix thing (#45)", m.commit.id))
    bot = Step(commit("chore(release): 1.0.1", squash.commit.id))
    push = Step(commit("Quick fix", bot.commit.id))
    landings = classify_line(_chain(root, setup, m, squash, bot, push), WORDS)
    assert [x.kind for x in landings] == ["direct-push", "automation", "squash", "hotfix", "bootstrap"]
    # nothing names its branch: a squash like any pull request's, no hotfix (merge-commit reports it)
    assert landings[2].pull_request == 45 and not landings[2].hotfix and landings[2].source is None
    assert "source is unknown" in landings[2].evidence
    assert len(landings[-1].commits) == 2  # no integration branch: everything before the first merge
    assert landings[0].base == bot.commit.id and not landings[0].hotfix


def test_a_squash_or_rebase_is_a_hotfix_only_when_its_source_is() -> None:
    m = merge("Merge branch 'hotfix/a'")
    named = Step(commit("hotfix/b: fix the crash (#46)", m.commit.id))
    release = Step(commit("Merge branch 'release/2.0' (#47)", named.commit.id))
    landings = classify_line(_chain(m, named, release), WORDS, complete=False)
    assert [(x.kind, x.source, x.hotfix) for x in landings] == [
        ("squash", "release/2.0", False),
        ("squash", "hotfix/b", True),
        ("hotfix", "hotfix/a", True),
    ]


def _recommitted(message: str, parent: str, author: tuple[str, str], committer: tuple[str, str], delay: int) -> Step:
    n = next(_ids)
    fact = CommitFact(f"{n:040x}", (parent,), message, *author, 5000, *committer, 5000 + delay)
    return Step(fact)


def test_a_rebase_is_recommitted_by_someone_else_later() -> None:
    """GitHub's "Rebase and merge" commits as GitHub, later than authored: a rebase. GitHub's web
    editor (as GitHub, at the author's instant) and an author's own amend or ``pull --rebase``
    (as themselves, later) are direct pushes."""
    m = merge("Merge branch 'hotfix/a'")
    dev, github = ("Dev", "dev@example.com"), ("GitHub", "noreply@github.com")
    cases = {
        "rebase": (github, 3600),
        "direct-push": (github, 0),  # the web editor
    }
    for expected, (committer, delay) in cases.items():
        step = _recommitted("Fix the crash", m.commit.id, dev, committer, delay)
        assert classify_line(_chain(m, step), WORDS, complete=False)[0].kind == expected, expected
    for committer in (dev, ("dev", "other@example.com")):  # the author themself, by e-mail or by name
        step = _recommitted("Fix the crash", m.commit.id, dev, committer, 3600)
        assert classify_line(_chain(m, step), WORDS, complete=False)[0].kind == "direct-push", committer
    # aergo cfccea30a3: a maintainer re-applied a colleague's three commits and one of their own,
    # committed together: one push of four commits, not a rebase merge of three
    maintainer, colleague = ("junu", "junu@example.com"), ("Paul", "paul@example.com")
    steps, parent = [], m.commit.id
    for author in (colleague, colleague, colleague, maintainer):
        steps.append(_recommitted("Fix", parent, author, maintainer, 3600))
        parent = steps[-1].commit.id
    (push, _) = classify_line(_chain(m, *steps), WORDS, complete=False)
    assert (push.kind, len(push.commits)) == ("direct-push", 4)


def test_a_release_rebased_onto_the_line_is_one_event_not_a_squash_per_pull_request() -> None:
    """Cortex-Analyzers ff96c197: 28 commits of a release (some titled ``... (#392)``) re-committed
    onto master by one maintainer in the same second: one push, not a squash per ``(#N)``. Two
    GitHub squash merges, each committed on its own, stay two squashes."""
    m = merge("Merge branch 'hotfix/a'")
    maintainer, contributor = ("Nabil", "nabil@example.com"), ("arnydo", "arnydo@example.com")
    steps, parent = [], m.commit.id
    for subject, author in [
        ("Umbrella templates (#392)", contributor),
        ("Fix PEP8", maintainer),
        ("Headers (#393)", contributor),
    ]:
        steps.append(_recommitted(subject, parent, author, maintainer, 3600))
        parent = steps[-1].commit.id
    landings = classify_line(_chain(m, *steps), WORDS, complete=False)
    assert [(x.kind, len(x.commits)) for x in landings] == [("direct-push", 3), ("hotfix", 1)]
    github = ("GitHub", "noreply@github.com")
    first = _recommitted("Fix one (#50)", m.commit.id, contributor, github, 3600)
    second = _recommitted("Fix two (#51)", first.commit.id, contributor, github, 3700)
    landings = classify_line(_chain(m, first, second), WORDS, complete=False)
    assert [(x.kind, x.pull_request) for x in landings] == [("squash", 51), ("squash", 50), ("hotfix", None)]


def test_fast_forward_of_a_branch_and_truncated_history() -> None:
    m = merge("Merge branch 'hotfix/a'")
    tip = Step(commit("Fix: crash", m.commit.id), branch_tips=("hotfix/b",))
    landings = classify_line(_chain(m, tip), WORDS, complete=False)
    assert [(x.kind, x.source, x.hotfix) for x in landings] == [
        ("fast-forward", "hotfix/b", True),
        ("hotfix", "hotfix/a", True),
    ]


# -- branch-name and back-merge on landings without a merge (rules/landing_checks.py) ----------


def _facts(landing: LandingFact, pulls: tuple[PullRequestFact, ...] = ()) -> RepositoryFacts:
    line = ProductionLineFact("main", "refs/heads/main", landing.commit.id, landing.commits, (), landings=(landing,))
    history = HistoryFacts((line,), IntegrationFact("develop", "f" * 40, 0), None, (), ())
    github = GitHubFacts("acme/app", CouldNotCheck("settings", "not read"), pulls=pulls)
    return RepositoryFacts("app", now=10_000, history=history, github=github)


def _judge(facts: RepositoryFacts) -> list[tuple[str, str]]:
    from hotfix_lint.rules.back_merge import BackMerge
    from hotfix_lint.rules.branch_name import BranchName

    found = []
    for rule in (BranchName(), BackMerge()):
        ctx = RuleContext(POLICY, rule.option_defaults(), 10_000)
        found += [(f.rule, f.kind.value) for f in rule.check(facts, ctx)]
    return found


def test_a_squash_is_judged_or_could_not_check() -> None:
    from hotfix_lint.collect.pull_heads import with_pull_heads

    squash = commit("Fix thing (#45)", "c" * 40)
    unknown = LandingFact("squash", "main", (squash,), "", pull_request=45, back_merged=True)
    assert _judge(_facts(unknown)) == []  # no hotfix: merge-commit alone reports it
    pull = PullRequestFact(45, "fix-thing", "main", "dev", 1, squash.id)
    facts = _facts(unknown, (pull,))
    named = with_pull_heads(POLICY, facts.history, facts.github)  # GitHub names the branch: a hotfix
    assert named is not None
    (landing,) = named.production[0].landings
    assert (landing.source, landing.hotfix) == ("fix-thing", True) and "GitHub" in landing.evidence
    assert _judge(replace(facts, history=named)) == [("branch-name", "violation")]
    unnamed = replace(unknown, hotfix=True)  # a hotfix whose branch nothing names
    assert _judge(_facts(unnamed)) == [("branch-name", "could-not-check")]
    named_one = LandingFact("squash", "main", (squash,), "", source="hotfix/thing", hotfix=True, back_merged=False)
    assert _judge(_facts(named_one)) == [("back-merge", "violation")]
    release = LandingFact("squash", "main", (squash,), "", source="develop", hotfix=False, back_merged=False)
    assert _judge(_facts(release)) == []


def test_the_base_of_a_squash_whose_branch_is_gone_could_not_be_checked() -> None:
    from hotfix_lint.rules.hotfix_base import HotfixBase

    squash = commit("hotfix/thing: fix (#46)", "c" * 40)
    landing = LandingFact("squash", "main", (squash,), "", source="hotfix/thing", hotfix=True, base="c" * 40)
    rule = HotfixBase()
    for deployed, expected in (("branch", ["could-not-check"]), ("tag", ["could-not-check"]), ("promotion-branch", [])):
        ctx = RuleContext(replace(POLICY, deployed_ref=deployed), rule.option_defaults(), 10_000)
        assert [f.kind.value for f in rule.check(_facts(landing), ctx)] == expected
    cut = replace(landing, cut_from="c" * 40, deployed_ref="c" * 40, base_on_line=True, base_distance=0)
    ctx = RuleContext(POLICY, rule.option_defaults(), 10_000)
    assert list(rule.check(_facts(cut), ctx)) == []
