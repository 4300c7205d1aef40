"""Full GitHub REST response bodies built from the compact records of ``state.py``.

Every body here must validate against GitHub's REST description (tests/data/github-api);
``tests/test_github_server.py`` checks each endpoint. URLs point back at the loopback
server, so PyGithub follows them there.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .state import PRODUCTION_ENVIRONMENTS


@dataclass(frozen=True)
class Urls:
    """Where the server is: ``api`` (with the Enterprise prefix, if any) and ``web``."""

    api: str  # http://127.0.0.1:PORT[/api/v3]
    web: str  # http://127.0.0.1:PORT
    host: str  # 127.0.0.1:PORT

    def repo_api(self, full_name: str) -> str:
        return f"{self.api}/repos/{full_name}"

    def repo_web(self, full_name: str) -> str:
        return f"{self.web}/{full_name}"


def stable_id(seed: str) -> int:
    return zlib.crc32(seed.encode("utf-8")) % 90_000_000 + 1_000_000


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"{kind}{number}".encode()).decode().rstrip("=")


def error_body(status: int, message: str, doc: str = "https://docs.github.com/rest") -> dict[str, Any]:
    return {"message": message, "documentation_url": doc, "status": str(status)}


# -- users and teams ---------------------------------------------------------------------------


def simple_user(urls: Urls, login: str, kind: str | None = None) -> dict[str, Any]:
    uid = stable_id("user:" + login)
    api = f"{urls.api}/users/{quote(login)}"
    return {
        "login": login,
        "id": uid,
        "node_id": node_id("U_", uid),
        "avatar_url": f"{urls.web}/avatars/u/{uid}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{urls.web}/{quote(login)}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind or ("Bot" if login.endswith("[bot]") else "User"),
        "user_view_type": "public",
        "site_admin": False,
    }


def team(urls: Urls, org: str, slug: str) -> dict[str, Any]:
    tid = stable_id(f"team:{org}/{slug}")
    api = f"{urls.api}/orgs/{quote(org)}/teams/{quote(slug)}"
    return {
        "id": tid,
        "node_id": node_id("T_", tid),
        "url": api,
        "html_url": f"{urls.web}/orgs/{quote(org)}/teams/{quote(slug)}",
        "name": slug.replace("-", " ").title(),
        "slug": slug,
        "description": None,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": f"{api}/members{{/member}}",
        "repositories_url": f"{api}/repos",
        "type": "organization",
        "organization_id": stable_id("org:" + org),
        "parent": None,
    }


def owner_of(urls: Urls, state_data: dict[str, Any], owner: str) -> dict[str, Any]:
    kind = "Organization" if owner in state_data.get("orgs", {}) else "User"
    return simple_user(urls, owner, kind)


# -- repositories ------------------------------------------------------------------------------

_MINIMAL_ONLY_OPTIONAL = (
    "allow_merge_commit",
    "allow_squash_merge",
    "allow_rebase_merge",
    "allow_auto_merge",
    "allow_update_branch",
    "use_squash_pr_title_as_default",
    "squash_merge_commit_title",
    "squash_merge_commit_message",
    "merge_commit_title",
    "merge_commit_message",
    "organization",
    "subscribers_count",
    "network_count",
)


def full_repository(urls: Urls, state_data: dict[str, Any], repo: dict[str, Any]) -> dict[str, Any]:
    full_name = f"{repo['owner']}/{repo['name']}"
    api = urls.repo_api(full_name)
    web = urls.repo_web(full_name)
    settings = repo["settings"]
    owner = owner_of(urls, state_data, repo["owner"])
    body: dict[str, Any] = {
        "id": repo["id"],
        "node_id": node_id("R_", repo["id"]),
        "name": repo["name"],
        "full_name": full_name,
        "private": repo["private"],
        "owner": owner,
        "html_url": web,
        "description": repo.get("description"),
        "fork": False,
        "url": api,
        "forks_url": f"{api}/forks",
        "keys_url": f"{api}/keys{{/key_id}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "teams_url": f"{api}/teams",
        "hooks_url": f"{api}/hooks",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "events_url": f"{api}/events",
        "assignees_url": f"{api}/assignees{{/user}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "tags_url": f"{api}/tags",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "languages_url": f"{api}/languages",
        "stargazers_url": f"{api}/stargazers",
        "contributors_url": f"{api}/contributors",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "commits_url": f"{api}/commits{{/sha}}",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "comments_url": f"{api}/comments{{/number}}",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "merges_url": f"{api}/merges",
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{api}/downloads",
        "issues_url": f"{api}/issues{{/number}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "labels_url": f"{api}/labels{{/name}}",
        "releases_url": f"{api}/releases{{/id}}",
        "deployments_url": f"{api}/deployments",
        "created_at": repo["created_at"],
        "updated_at": repo["pushed_at"],
        "pushed_at": repo["pushed_at"],
        "git_url": f"git://{urls.host}/{full_name}.git",
        "ssh_url": f"git@{urls.host.split(':')[0]}:{full_name}.git",
        "clone_url": repo.get("clone_url") or f"{web}.git",  # a test may point it elsewhere
        "svn_url": web,
        "homepage": None,
        "size": 108,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": "Python",
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": repo["archived"],
        "disabled": False,
        "open_issues_count": 0,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if repo["private"] else "public",
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": repo["default_branch"],
        "permissions": dict(repo["permissions"]),
        "allow_auto_merge": False,
        "allow_update_branch": False,
        "use_squash_pr_title_as_default": False,
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "merge_commit_title": "MERGE_MESSAGE",
        "merge_commit_message": "PR_TITLE",
        "network_count": 0,
        "subscribers_count": 1,
        **settings,
    }
    if owner["type"] == "Organization":
        body["organization"] = owner
    return body


def minimal_repository(urls: Urls, state_data: dict[str, Any], repo: dict[str, Any]) -> dict[str, Any]:
    """The shape of ``GET /orgs/{org}/repos`` items: no merge settings."""
    body = full_repository(urls, state_data, repo)
    for key in _MINIMAL_ONLY_OPTIONAL:
        body.pop(key, None)
    body["delete_branch_on_merge"] = repo["settings"].get("delete_branch_on_merge", False)
    return body


def repository(urls: Urls, state_data: dict[str, Any], repo: dict[str, Any]) -> dict[str, Any]:
    """The ``repository`` shape nested in pull requests (no counts of the full shape)."""
    body = full_repository(urls, state_data, repo)
    for key in ("organization", "network_count", "subscribers_count"):
        body.pop(key, None)
    return body


# -- branch protection and rules ---------------------------------------------------------------


def branch_protection(urls: Urls, full_name: str, branch: str, prot: dict[str, Any]) -> dict[str, Any]:
    base = f"{urls.repo_api(full_name)}/branches/{quote(branch, safe='')}/protection"
    body: dict[str, Any] = {"url": base}
    checks = prot.get("required_status_checks")
    if checks is not None:
        body["required_status_checks"] = {
            "url": f"{base}/required_status_checks",
            "strict": checks["strict"],
            "contexts": list(checks["contexts"]),
            "contexts_url": f"{base}/required_status_checks/contexts",
            "checks": [{"context": c, "app_id": None} for c in checks["contexts"]],
        }
    reviews = prot.get("required_pull_request_reviews")
    if reviews is not None:
        shown = {k: v for k, v in reviews.items() if k not in ("bypass_users", "omit_count")}
        if reviews.get("omit_count"):  # a legacy rule: GitHub leaves the count out
            shown.pop("required_approving_review_count", None)
        body["required_pull_request_reviews"] = {"url": f"{base}/required_pull_request_reviews", **shown}
        if reviews.get("bypass_users"):
            body["required_pull_request_reviews"]["bypass_pull_request_allowances"] = {
                "users": [simple_user(urls, u) for u in reviews["bypass_users"]],
                "teams": [],
                "apps": [],
            }
    body["required_signatures"] = {"url": f"{base}/required_signatures", "enabled": prot["required_signatures"]}
    body["enforce_admins"] = {"url": f"{base}/enforce_admins", "enabled": prot["enforce_admins"]}
    for key in (
        "required_linear_history",
        "allow_force_pushes",
        "allow_deletions",
        "block_creations",
        "required_conversation_resolution",
        "lock_branch",
        "allow_fork_syncing",
    ):
        body[key] = {"enabled": bool(prot.get(key, False))}
    restrictions = prot.get("restrictions")
    if restrictions is not None:
        org = full_name.split("/")[0]
        body["restrictions"] = {
            "url": f"{base}/restrictions",
            "users_url": f"{base}/restrictions/users",
            "teams_url": f"{base}/restrictions/teams",
            "apps_url": f"{base}/restrictions/apps",
            "users": [simple_user(urls, u) for u in restrictions["users"]],
            "teams": [team(urls, org, t) for t in restrictions["teams"]],
            "apps": [],
        }
    return body


def ruleset(urls: Urls, full_name: str, rs: dict[str, Any], *, detailed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": rs["id"],
        "name": rs["name"],
        "target": rs["target"],
        "source_type": rs["source_type"],
        "source": rs["source"],
        "enforcement": rs["enforcement"],
        "node_id": node_id("RRS_", rs["id"]),
        "_links": {
            "self": {"href": f"{urls.repo_api(full_name)}/rulesets/{rs['id']}"},
            "html": {"href": f"{urls.repo_web(full_name)}/rules/{rs['id']}"},
        },
        "created_at": rs["created_at"],
        "updated_at": rs["created_at"],
    }
    if detailed:
        body["bypass_actors"] = [
            {
                "actor_id": a.get("actor_id"),
                "actor_type": a["actor_type"],
                "bypass_mode": a.get("bypass_mode", "always"),
            }
            for a in rs["bypass_actors"]
        ]
        body["current_user_can_bypass"] = "never"
        body["conditions"] = rs["conditions"]
        body["rules"] = [dict(r) for r in rs["rules"]]
    return body


def effective_rule(rs: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    return {**rule, "ruleset_source_type": rs["source_type"], "ruleset_source": rs["source"], "ruleset_id": rs["id"]}


# -- environments and deployments --------------------------------------------------------------


def environment(urls: Urls, full_name: str, env: dict[str, Any]) -> dict[str, Any]:
    org = full_name.split("/")[0]
    rules: list[dict[str, Any]] = []
    if env["wait_timer"]:
        rid = stable_id(f"wait:{env['id']}")
        rules.append({"id": rid, "node_id": node_id("GA_", rid), "type": "wait_timer", "wait_timer": env["wait_timer"]})
    if env["reviewers"] or env["reviewer_teams"]:
        rid = stable_id(f"reviewers:{env['id']}")
        rules.append(
            {
                "id": rid,
                "node_id": node_id("GA_", rid),
                "prevent_self_review": env["prevent_self_review"],
                "type": "required_reviewers",
                "reviewers": [{"type": "User", "reviewer": simple_user(urls, u)} for u in env["reviewers"]]
                + [{"type": "Team", "reviewer": team(urls, org, t)} for t in env["reviewer_teams"]],
            }
        )
    if env["deployment_branch_policy"] is not None:
        rid = stable_id(f"branch_policy:{env['id']}")
        rules.append({"id": rid, "node_id": node_id("GA_", rid), "type": "branch_policy"})
    return {
        "id": env["id"],
        "node_id": node_id("EN_", env["id"]),
        "name": env["name"],
        # GitHub leaves the name unescaped here: prod/eu stays prod/eu
        "url": f"{urls.repo_api(full_name)}/environments/{env['name']}",
        "html_url": f"{urls.repo_web(full_name)}/deployments/activity_log?environments_filter={quote(env['name'])}",
        "created_at": env["created_at"],
        "updated_at": env["created_at"],
        "protection_rules": rules,
        "deployment_branch_policy": env["deployment_branch_policy"],
        "can_admins_bypass": env.get("can_admins_bypass", True),
    }


def deployment_branch_policy(policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": policy["id"],
        "node_id": node_id("DBP_", policy["id"]),
        "name": policy["name"],
        "type": policy["type"],
    }


def deployment(urls: Urls, full_name: str, dep: dict[str, Any]) -> dict[str, Any]:
    url = f"{urls.repo_api(full_name)}/deployments/{dep['id']}"
    return {
        "url": url,
        "id": dep["id"],
        "node_id": node_id("DE_", dep["id"]),
        "sha": dep["sha"],
        "ref": dep["ref"],
        "task": dep["task"],
        "payload": {},
        "original_environment": dep["environment"],
        "environment": dep["environment"],
        "description": None,
        "creator": simple_user(urls, dep["creator"]),
        "created_at": dep["created_at"],
        "updated_at": dep["statuses"][-1]["created_at"] if dep["statuses"] else dep["created_at"],
        "statuses_url": f"{url}/statuses",
        "repository_url": urls.repo_api(full_name),
        "transient_environment": False,
        "production_environment": dep["environment"] in PRODUCTION_ENVIRONMENTS,
        "performed_via_github_app": None,
    }


def workflow(urls: Urls, full_name: str, wf: dict[str, Any]) -> dict[str, Any]:
    api = urls.repo_api(full_name)
    web = urls.repo_web(full_name)
    return {
        "id": wf["id"],
        "node_id": node_id("W_", wf["id"]),
        "name": wf["name"],
        "path": wf["path"],
        "state": wf["state"],
        "created_at": wf["created_at"],
        "updated_at": wf["created_at"],
        "url": f"{api}/actions/workflows/{wf['id']}",
        "html_url": f"{web}/blob/main/{wf['path']}",
        "badge_url": f"{web}/workflows/{quote(wf['name'])}/badge.svg",
    }


def deployment_status(urls: Urls, full_name: str, dep: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
    dep_url = f"{urls.repo_api(full_name)}/deployments/{dep['id']}"
    run = f"{urls.repo_web(full_name)}/actions/runs/{status['id']}"
    return {
        "url": f"{dep_url}/statuses/{status['id']}",
        "id": status["id"],
        "node_id": node_id("DES_", status["id"]),
        "state": status["state"],
        "creator": simple_user(urls, status["creator"]),
        "description": "",
        "environment": dep["environment"],
        "target_url": run,
        "created_at": status["created_at"],
        "updated_at": status["created_at"],
        "deployment_url": dep_url,
        "repository_url": urls.repo_api(full_name),
        "environment_url": urls.repo_web(full_name),
        "log_url": run,
        "performed_via_github_app": None,
    }


# -- pull requests -----------------------------------------------------------------------------


def _pull_part(urls: Urls, state_data: dict[str, Any], repo: dict[str, Any], ref: str, sha: str) -> dict[str, Any]:
    return {
        "label": f"{repo['owner']}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": owner_of(urls, state_data, repo["owner"]),
        "repo": repository(urls, state_data, repo),
    }


def pull_request_simple(
    urls: Urls, state_data: dict[str, Any], repo: dict[str, Any], pr: dict[str, Any]
) -> dict[str, Any]:
    full_name = f"{repo['owner']}/{repo['name']}"
    api = urls.repo_api(full_name)
    url = f"{api}/pulls/{pr['number']}"
    html = f"{urls.repo_web(full_name)}/pull/{pr['number']}"
    issue = f"{api}/issues/{pr['number']}"
    statuses = f"{api}/statuses/{pr['head_sha']}"
    return {
        "url": url,
        "id": pr["id"],
        "node_id": node_id("PR_", pr["id"]),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue,
        "number": pr["number"],
        "state": pr["state"],
        "locked": False,
        "title": pr["title"],
        "user": simple_user(urls, pr["user"]),
        "body": None,
        "created_at": pr["created_at"],
        "updated_at": pr["updated_at"],
        "closed_at": pr["closed_at"],
        "merged_at": pr["merged_at"],
        "merge_commit_sha": pr["merge_commit_sha"],
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "draft": False,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": statuses,
        "head": _pull_part(urls, state_data, repo, pr["head"], pr["head_sha"]),
        "base": _pull_part(urls, state_data, repo, pr["base"], pr["base_sha"]),
        "_links": {
            "self": {"href": url},
            "html": {"href": html},
            "issue": {"href": issue},
            "comments": {"href": f"{issue}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": statuses},
        },
        "author_association": "MEMBER",
        "auto_merge": None,
        "active_lock_reason": None,
    }


def pull_request(urls: Urls, state_data: dict[str, Any], repo: dict[str, Any], pr: dict[str, Any]) -> dict[str, Any]:
    body = pull_request_simple(urls, state_data, repo, pr)
    merged = pr["merged_at"] is not None
    body.update(
        {
            "merged": merged,
            "mergeable": None if pr["state"] == "closed" else True,
            "rebaseable": None if pr["state"] == "closed" else True,
            "mergeable_state": "unknown" if pr["state"] == "closed" else "clean",
            "merged_by": simple_user(urls, pr["merged_by"]) if merged and pr["merged_by"] else None,
            "comments": 0,
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": 1,
            "additions": 1,
            "deletions": 0,
            "changed_files": 1,
        }
    )
    return body


def review(urls: Urls, full_name: str, pr: dict[str, Any], rv: dict[str, Any]) -> dict[str, Any]:
    pr_url = f"{urls.repo_api(full_name)}/pulls/{pr['number']}"
    html = f"{urls.repo_web(full_name)}/pull/{pr['number']}#pullrequestreview-{rv['id']}"
    return {
        "id": rv["id"],
        "node_id": node_id("PRR_", rv["id"]),
        "user": simple_user(urls, rv["user"]),
        "body": "",
        "state": rv["state"],
        "html_url": html,
        "pull_request_url": pr_url,
        "author_association": "MEMBER",
        "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
        "submitted_at": rv["submitted_at"],
        "commit_id": rv["commit_id"],
    }


# -- statuses and contents ---------------------------------------------------------------------


def commit_status(urls: Urls, full_name: str, sha: str, st: dict[str, Any]) -> dict[str, Any]:
    creator = simple_user(urls, st["creator"])
    return {
        "url": f"{urls.repo_api(full_name)}/statuses/{sha}",
        "avatar_url": creator["avatar_url"],
        "id": st["id"],
        "node_id": node_id("SC_", st["id"]),
        "state": st["state"],
        "description": st.get("description"),
        "target_url": st.get("target_url"),
        "context": st.get("context") or "default",
        "created_at": st["created_at"],
        "updated_at": st["created_at"],
        "creator": creator,
    }


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _content_links(urls: Urls, full_name: str, path: str, ref: str, sha: str, kind: str) -> dict[str, Any]:
    api = urls.repo_api(full_name)
    self_url = f"{api}/contents/{quote(path)}?ref={quote(ref, safe='')}"
    html = f"{urls.repo_web(full_name)}/{'tree' if kind == 'dir' else 'blob'}/{quote(ref)}/{quote(path)}"
    git = f"{api}/git/{'trees' if kind == 'dir' else 'blobs'}/{sha}"
    return {"url": self_url, "git_url": git, "html_url": html, "_links": {"self": self_url, "git": git, "html": html}}


def content_file(urls: Urls, full_name: str, path: str, text: str, ref: str) -> dict[str, Any]:
    data = text.encode("utf-8")
    sha = blob_sha(data)
    encoded = base64.b64encode(data).decode()
    links = _content_links(urls, full_name, path, ref, sha, "file")
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n",
        "sha": sha,
        "download_url": f"{urls.web}/raw/{full_name}/{quote(ref)}/{quote(path)}",
        **links,
    }


def content_entry(urls: Urls, full_name: str, path: str, kind: str, text: str | None, ref: str) -> dict[str, Any]:
    data = (text or "").encode("utf-8")
    sha = blob_sha(data) if kind == "file" else hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()
    links = _content_links(urls, full_name, path, ref, sha, kind)
    return {
        "type": kind,
        "size": len(data) if kind == "file" else 0,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "download_url": f"{urls.web}/raw/{full_name}/{quote(ref)}/{quote(path)}" if kind == "file" else None,
        **links,
    }
