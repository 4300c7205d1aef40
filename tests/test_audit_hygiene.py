"""The audit trusts nothing GitHub answers and leaks nothing it was given (issue 12, items 6, 9
and 12): it clones only https on the API's host (http only to loopback), never prints the
credentials of ``--github-url``, keeps its cache private, and turns a redirect, an empty body, a
listing that is not JSON or a rate limit into a clear failure or "could not check".
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from audit_org import ORG, Org

from hotfix_lint.collect.git.mirror import refused_clone_url, without_credentials

#: the REST path (its retries, deadlines and kept facts are what these tests are about)
REST = ("--github-api", "rest")

HOSTILE_CLONE_URLS = [
    "file:///etc",
    "ext::sh -c touch% /tmp/hotfix-lint-pwned",
    "ssh://git@127.0.0.1/octo/app.git",
    "git@127.0.0.1:octo/app.git",
    "http://example.com/octo/app.git",
    "https://elsewhere.example/octo/app.git",
    "http://10.0.0.1/octo/app.git",
]


@pytest.mark.parametrize("clone_url", HOSTILE_CLONE_URLS)
def test_a_clone_url_off_the_api_host_is_refused_not_cloned(org: Org, clone_url: str) -> None:
    full_name = org.publish("app", org.gitflow("app"))
    org.publish("clean", org.gitflow("clean"))
    org.state.repo(full_name)["clone_url"] = clone_url
    run = org.audit("--org", ORG)
    entry = run.entry(full_name)
    assert entry["status"] == "failed"
    assert "refused to clone" in entry["error"] and "only https:// URLs on 127.0.0.1 are cloned" in entry["error"]
    assert not (org.cache / f"127.0.0.1_{org.server.port}" / "mirrors" / "octo" / "app.git").exists()
    assert not Path("/tmp/hotfix-lint-pwned").exists()
    assert run.entry("octo/clean")["status"] == "ok", "the others go on"
    assert run.status == 3


@pytest.mark.parametrize(
    ("clone_url", "api_url", "cloned"),
    [
        ("https://github.com/octo/app.git", None, True),
        ("https://github.com/octo/app.git", "https://api.github.com", True),
        ("https://ghe.example/octo/app.git", "https://ghe.example/api/v3", True),
        ("https://acme.ghe.com/octo/app.git", "https://api.acme.ghe.com", True),
        ("http://127.0.0.2:8080/octo/app.git", "http://127.0.0.2:8080/api/v3", True),
        ("http://[::1]:8080/octo/app.git", "http://[::1]:8080", True),
        ("http://localhost/octo/app.git", "http://localhost/api/v3", True),
        ("http://ghe.example/octo/app.git", "https://ghe.example/api/v3", False),
        ("https://github.com.evil.example/octo/app.git", None, False),
        ("https://ghe.example/octo/app.git", None, False),
        ("https://github.com/octo/app.git", "https://ghe.example/api/v3", False),
        ("", None, False),
    ],
)
def test_which_clone_urls_are_cloned(clone_url: str, api_url: str | None, cloned: bool) -> None:
    assert (refused_clone_url(clone_url, api_url) is None) == cloned


def test_credentials_inside_github_url_are_never_printed(org: Org, tmp_path: Path) -> None:
    org.publish("clean", org.gitflow("clean"))
    org.publish("gone", org.gitflow("gone"))
    org.break_clone("gone")
    secret = "ghp_UrlCr3dentialNeverPrinted"  # noqa: S105 - a fake, to catch leaks
    url = org.server.url.replace("http://", f"http://someone:{secret}@")
    text = tmp_path / "audit.txt"
    run = org.audit("--org", ORG, "--github-url", url, "--format", f"text={text}", github_url=False)
    assert run.report is not None
    assert run.report["source"]["github_url"] == org.server.url
    assert run.entry("octo/clean")["status"] == "ok"
    printed = run.everything + text.read_text(encoding="utf-8")
    assert f"on {org.server.url}" in printed
    assert secret not in printed and "someone" not in printed
    missing = org.audit("--org", "nobody", "--github-url", url, github_url=False)
    assert missing.status == 3 and secret not in missing.everything
    assert without_credentials(f"fetch {url}/x failed") == f"fetch {org.server.url}/x failed"


def test_the_cache_is_private(org: Org, tmp_path: Path) -> None:
    org.publish("clean", org.gitflow("clean"))
    fresh = tmp_path / "new" / "cache"
    assert org.audit("--org", ORG, cache=fresh).status == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    host = fresh / f"127.0.0.1_{org.server.port}"
    assert stat.S_IMODE(host.stat().st_mode) == 0o700
    os.chmod(host, 0o755)  # noqa: S103 - a cache made by an earlier version: mirrors readable by anyone
    assert org.audit("--org", ORG, cache=fresh).status == 0
    assert stat.S_IMODE(host.stat().st_mode) == 0o700
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)  # noqa: S103 - a shared directory named by --cache
    assert org.audit("--org", ORG, cache=shared).status == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755, "an existing --cache keeps its mode"
    assert stat.S_IMODE((shared / f"127.0.0.1_{org.server.port}").stat().st_mode) == 0o700


@pytest.mark.parametrize("body", ["<html>GitHub is down</html>", "[not json", "", '{"message": "ok"}'])
def test_an_org_listing_that_is_not_json_exits_3_with_a_message(org: Org, body: str) -> None:
    """Before: a listing starting with ``[`` or ``{`` that did not parse ended in a traceback."""
    org.publish("clean", org.gitflow("clean"))
    org.state.fail(f"/orgs/{ORG}/repos", 200, body=body)
    run = org.audit("--org", ORG)
    assert run.status == 3
    assert f"--org {ORG}: " in run.stderr
    assert "Traceback" not in run.everything


@pytest.mark.parametrize(
    ("status", "headers", "body", "said"),
    [
        (301, {"Location": "https://elsewhere.example/repos/octo/clean"}, "", "redirect"),
        (302, {"Location": "/repositories/42"}, "", "without a full_name"),
        (307, {"Location": "/repositories/42"}, "", "without a full_name"),
        (200, {}, "", "without a full_name"),
    ],
)
def test_a_repository_answered_with_a_redirect_or_nothing_is_a_failed_entry(
    org: Org, status: int, headers: dict[str, str], body: str, said: str
) -> None:
    org.publish("clean", org.gitflow("clean"))
    org.publish("other", org.gitflow("other"))
    org.state.fail("/repos/octo/clean", status, headers=headers, body=body)
    run = org.audit("octo/clean", "octo/other", *REST)  # GraphQL would describe it: REST's answer is the point
    assert run.entry("octo/clean")["status"] == "failed"
    assert said in run.entry("octo/clean")["error"]
    assert run.entry("octo/other")["status"] == "ok"
    assert run.status == 3 and "Traceback" not in run.everything


def test_a_rate_limited_audit_does_not_wait(org: Org) -> None:
    """Before: each request of each repository waited GitHub's minute, twice."""
    for name in ("a", "b", "c"):
        org.publish(name, org.gitflow(name))
    org.state.rate_limit("/repos/octo/*/branches/*/protection", status=403, retry_after=None, times=None)
    started = time.monotonic()
    run = org.audit("--org", ORG, *REST)
    assert time.monotonic() - started < 60
    for name in ("octo/a", "octo/b", "octo/c"):
        entry = run.entry(name)
        assert entry["status"] == "ok"
        unread = [v for v in entry["report"]["violations"] if v["kind"] == "could-not-check"]
        assert unread and all("rate" in v["message"] and "until" in v["message"] for v in unread), unread
    protection = [r for r in org.server.requests if r.path.endswith("/protection")]
    assert len(protection) <= 4, "asked again only once the limit reset, not per fact"


def test_github_facts_cut_short_by_the_deadline_are_not_kept(org: Org) -> None:
    """Facts made while a request ran out of time are read again next time, not judged as kept."""
    org.publish("slow", org.gitflow("slow"))
    org.state.drip("/repos/octo/slow/rules/branches/*", 0.5, times=1)
    first = org.audit("--org", ORG, *REST, "--no-repo-policy", "--jobs", "1", "--github-timeout", "3")
    unread = [v for v in first.entry("octo/slow")["report"]["violations"] if v["kind"] == "could-not-check"]
    assert unread, first.entry("octo/slow")
    second = org.audit("--org", ORG, *REST, "--no-repo-policy", "--jobs", "1")
    entry = second.entry("octo/slow")
    assert entry["github"] == "read"
    assert not [v for v in entry["report"]["violations"] if v["kind"] == "could-not-check"]
