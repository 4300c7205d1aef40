"""The audit's HTML report, opened in a real headless Chromium (Debian's ``chromium``): the page a
person gets shows the headline, what changed, the repositories worst first with their status,
the counts per rule and a chart of violations by rule; it loads nothing from outside.

The DOM is read after Chromium has parsed and laid out the page (``--dump-dom``), so what is
checked is what the browser made of the file, not the file's text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from audit_org import ORG, Org, land_squash, land_without_back_merge
from scenario import land_hotfix

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=False)


class Dom(HTMLParser):
    """The few things the test reads from the dumped DOM: elements by id and class, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag not in ("br", "meta", "link", "img", "input"):
            self._open.append((tag, attributes.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, ident in self._open:
            if ident:
                self.text_by_id[ident] = self.text_by_id.get(ident, "") + data

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str]]:
        found = []
        for name, attributes in self.elements:
            if tag is not None and name != tag:
                continue
            if all(attributes.get(key) == value for key, value in attrs.items()):
                found.append(attributes)
        return found

    def with_class(self, tag: str, cls: str) -> list[dict[str, str]]:
        return [a for name, a in self.elements if name == tag and cls in a.get("class", "").split()]


def html_report(org: Org, tmp_path: Path) -> Path:
    """An audit with errors, warnings, a failure, a skipped repository and drift."""
    org.publish("clean", org.gitflow("clean"))
    org.publish("squashed", land_squash(org.gitflow("squashed")))
    org.publish("no-back-merge", land_without_back_merge(org.gitflow("nbm")))
    org.publish("open-merges", org.gitflow("om"), allow_squash_merge=True, allow_rebase_merge=True)
    org.publish("archived", org.gitflow("ar"), archived=True)
    org.publish("broken", org.gitflow("br"))
    org.break_clone("broken")
    first = org.audit("--org", ORG)
    baseline = tmp_path / "last-week.json"
    baseline.write_text(first.written)
    land_hotfix(org.sources["octo/squashed"], "hotfix/<b>bold</b>", version="1.0.3", how="squash", pr_number=43)
    org.push("octo/squashed")
    repo = org.sources["octo/clean"]
    land_hotfix(repo, "hotfix/no-changelog", version="1.0.2", changelog=False)
    org.push("octo/clean")
    run = org.audit("--org", ORG, "--baseline", str(baseline), fmt="html")
    assert run.status == 3
    page = tmp_path / "audit.html"
    page.write_text(run.written, encoding="utf-8")
    return page


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_the_html_report_in_a_headless_browser(org: Org, tmp_path: Path) -> None:
    page = html_report(org, tmp_path)
    text = page.read_text(encoding="utf-8")
    # self-contained: no script, no external URL of any kind
    assert "<script" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "@import" not in text and "url(" not in text
    assert "<b>bold</b>" not in text, "a branch name is escaped"

    dumped = chromium("--dump-dom", page.as_uri(), tmp_path=tmp_path)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = Dom()
    dom.feed(dumped.stdout)
    assert dom.find("b") == [], "the branch name did not become markup in the browser"

    headline = dom.text_by_id["headline"]
    assert "6 repositories" in headline and "1 failed" in headline and "1 skipped" in headline
    drift = dom.text_by_id["drift"]
    # the squash of "hotfix/<b>bold</b>" is judged by branch-name too (issue 13, item 10)
    assert drift.startswith("Since last-week.json: 3 new findings"), drift

    # per-repository status, worst first
    rows = [a for a in dom.find("tr") if "data-repository" in a]
    order = [(a["data-repository"], a["data-status"], int(a["data-errors"]), int(a["data-warnings"])) for a in rows]
    assert order[0][:2] == ("octo/broken", "failed"), order
    ranked = [(-errors, -warnings) for _, status, errors, warnings in order[1:]]
    assert ranked == sorted(ranked), f"worst offenders first: {order}"
    assert order[1][0] == "octo/squashed" and order[1][2] == 3
    badges = [a["class"] for a in dom.with_class("span", "badge")]
    assert {"badge b-failed", "badge b-errors", "badge b-new"} <= set(badges)
    assert "archived" in dom.text_by_id["skipped"]

    # per-rule counts
    rules = {a["data-rule"] for a in dom.find("tr") if "data-rule" in a}
    assert {"merge-commit", "back-merge", "merge-methods", "changelog-entry"} <= rules
    assert "merge-commit" in dom.text_by_id["rules"]

    # the chart: an SVG with one bar per rule with violations, errors and warnings
    assert dom.find("svg", id="chart")
    bars = dom.with_class("rect", "bar")
    assert {(b["data-rule"], b["class"].split()[-1]) for b in bars} >= {
        ("merge-commit", "bar-error"),
        ("changelog-entry", "bar-warning"),
    }
    merge_commit = next(b for b in bars if b["data-rule"] == "merge-commit")
    assert merge_commit["data-count"] == "2"
    assert "Violations by rule" in dom.text_by_id["chart-title"]
    assert "octo/broken" in dom.text_by_id["failures"]

    shot = Path(os.environ.get("AUDIT_SCREENSHOT") or tmp_path / "audit.png")
    taken = chromium("--screenshot=" + str(shot), "--window-size=1280,1600", page.as_uri(), tmp_path=tmp_path)
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]
