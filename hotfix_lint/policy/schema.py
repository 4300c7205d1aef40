"""The JSON Schema (draft 2020-12) of a policy file: the base (every key but each rule's
options) and the formats and patterns rules share (:data:`NAME_PATTERN_FORMAT`).

Every property has a ``description`` (editors show it); an unknown top-level key is an error.
:mod:`.full_schema` adds the registered rules: this module imports no rule, so rules may
import it.
"""

from __future__ import annotations

from typing import Any

from hotfix_lint.policy.model import DEPLOYED_REF_STRATEGIES
from hotfix_lint.results import Severity

DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: A format (annotation only for other tools) marking a readable branch or tag name pattern;
#: the loader compiles every value so marked, including rule options that declare it.
NAME_PATTERN_FORMAT = "name-pattern"

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
COMMIT_PATTERN = r"^[0-9a-fA-F]{4,40}$"
NOT_BLANK_PATTERN = r"\S"

#: What a failed ``pattern`` means, in words, for error messages.
PATTERN_MESSAGES: dict[str, str] = {
    COMMIT_PATTERN: "expected a commit sha or a prefix of it (4 to 40 hexadecimal digits)",
    NOT_BLANK_PATTERN: "must not be empty",
}

#: Top-level keys whose values (a string or a list of strings) are name patterns.
PATTERN_KEYS: tuple[str, ...] = (
    "production",
    "hotfix_branch",
    "release_branches",
    "tag_pattern",
    "promotion_branch",
)

SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)

_PATTERN_HELP = (
    "Placeholders {version} {slug} {date} {ticket}, * (within one path segment) and ** "
    "(anything); a value starting with ^ is a raw regular expression."
)


def _pattern(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "format": NAME_PATTERN_FORMAT, "description": description}


def _patterns(description: str) -> dict[str, Any]:
    """One pattern or a non-empty list of them."""
    return {
        "type": ["string", "array"],
        "minLength": 1,
        "format": NAME_PATTERN_FORMAT,
        "minItems": 1,
        "items": _pattern("A name pattern. " + _PATTERN_HELP),
        "description": description,
    }


def _integration(description: str) -> dict[str, Any]:
    """``integration``: a branch name, null, or ``{branch, retired_since}``."""
    return {
        "type": ["string", "null", "object"],
        "minLength": 1,
        "properties": {
            "branch": {
                "type": "string",
                "minLength": 1,
                "description": "The integration branch that must receive every hotfix.",
            },
            "retired_since": {
                "type": "string",
                "format": "date",
                "description": "The day the integration branch stopped being used (YYYY-MM-DD).",
            },
        },
        "required": ["branch"],
        "additionalProperties": False,
        "description": description,
    }


def _production() -> dict[str, Any]:
    """``production``: one pattern, or a list of patterns and ``{branch, former_names}`` entries."""
    renamed = {  # no "type": the items' own type says "a string or a mapping"
        "properties": {
            "branch": _pattern("The production branch, as it is named today. " + _PATTERN_HELP),
            "former_names": {
                "type": "array",
                "minItems": 1,
                "items": _pattern("A name the branch had before (a name pattern)."),
                "description": (
                    "Names the branch had before it was renamed, such as [master-th4]: a merge whose message "
                    "says 'into master-th4' is a merge into this line."
                ),
            },
            "integration": _integration(
                "This line's own integration branch (released from, back-merged into), such as develop-th4; "
                "null: the line has none (a support line whose hotfixes are not back-merged). Without this "
                "key the top-level integration."
            ),
        },
        "required": ["branch"],
        "additionalProperties": False,
        "description": (
            "A production branch with the names it had before and its own integration branch: "
            "{branch: main, former_names: [master-th4], integration: develop-th4}."
        ),
    }
    spec = _patterns("")
    spec["type"] = ["string", "array", "object"]
    spec.update(renamed)  # one renamed line alone: production: {branch: main, former_names: [...]}
    spec["description"] = (
        "The production branch (what is deployed), or a list of them, such as [main, 'support/*']; "
        "{branch: main, former_names: [master-th4], integration: develop-th4}, alone or as an entry of the list, "
        "also names a renamed branch's former names and the line's own integration branch (null: none). "
        + _PATTERN_HELP
    )
    spec["items"] = {
        "type": ["string", "object"],
        "if": {"type": "string"},
        "then": _pattern("A production branch pattern. " + _PATTERN_HELP),
        "else": renamed,
        "description": "A production branch pattern, or {branch: NAME, former_names: [OLD, ...], integration: BRANCH}.",
    }
    return spec


def base_schema() -> dict[str, Any]:
    severity = {
        "enum": list(SEVERITIES),
        "description": "error fails the check, warning is reported only, off disables the rule.",
    }
    date = {
        "type": "string",
        "format": "date",
        "description": "A calendar date YYYY-MM-DD.",
    }
    strategy = {
        "enum": list(DEPLOYED_REF_STRATEGIES),
        "description": (
            "branch: the production branch's tip; tag: the newest release tag on it; "
            "promotion-branch: the newest of the production tip and the promotion branches; "
            "github-deployment: the last successful GitHub deployment."
        ),
    }
    waiver = {
        "type": "object",
        "description": "A waiver: one rule does not apply to one commit or one branch.",
        "properties": {
            "rule": {"type": "string", "description": "The id of the waived rule."},
            "commit": {
                "type": "string",
                "pattern": COMMIT_PATTERN,
                "description": "The waived commit: a sha or a prefix of it. Give commit or branch.",
            },
            "branch": {
                "type": "string",
                "minLength": 1,
                "description": "The branch the waiver is for. Give commit or branch.",
            },
            "reason": {
                "type": "string",
                "pattern": NOT_BLANK_PATTERN,
                "description": "Why the rule is waived (a non-empty text, shown in reports).",
            },
            "expires": dict(date, description="The day the waiver stops applying (YYYY-MM-DD); optional."),
        },
        "required": ["rule", "reason"],
        "oneOf": [{"required": ["commit"]}, {"required": ["branch"]}],
        "additionalProperties": False,
    }
    return {
        "$schema": DIALECT,
        "title": "hotfix-lint policy",
        "description": "How a repository's hotfix process works, and how strictly hotfix-lint checks it.",
        "type": "object",
        "$defs": {"severity": severity, "date": date},
        "properties": {
            "extends": {
                "type": ["string", "array"],
                "minLength": 1,
                "items": {"type": "string", "minLength": 1},
                "description": (
                    "Policies this one builds on, applied in order before this file: a built-in pack "
                    "name (such as default) or a path relative to this file (such as ./base.yaml)."
                ),
            },
            "production": _production(),
            "integration": _integration(
                "The integration branch every hotfix must be merged back into (such as develop), "
                "null when there is none, or {branch: NAME, retired_since: YYYY-MM-DD}."
            ),
            "hotfix_branch": _patterns(
                "The name pattern of hotfix branches (or a list), such as 'hotfix/{slug}'. " + _PATTERN_HELP
            ),
            "release_branches": {
                "type": "array",
                "items": _pattern("A release branch pattern. " + _PATTERN_HELP),
                "description": (
                    "Patterns of release branches, which may be merged into production without being "
                    "hotfixes, such as ['release/*']."
                ),
            },
            "ticket_pattern": {
                "type": ["string", "null"],
                "minLength": 1,
                "format": "regex",
                "description": (
                    "A regular expression for ticket ids (such as '[A-Z]+-[0-9]+'), used by {ticket} "
                    "and by changelog-entry; null when tickets are not tracked."
                ),
            },
            "changelog": {
                "type": ["string", "null"],
                "minLength": 1,
                "description": (
                    "Path of the changelog in the repository, or null when there is none. Without this key "
                    "it is found at each commit: CHANGELOG, CHANGES, HISTORY, NEWS (.md, .rst, .mdown, .txt, "
                    "none...) in any case, at the root, else in docs/ or doc/."
                ),
            },
            "tag_pattern": dict(_pattern("The name pattern of release tags. " + _PATTERN_HELP), default="v{version}"),
            "deployed_ref": {
                "type": ["string", "object"],
                "if": {"type": "string"},
                "then": strategy,
                "else": {
                    "properties": {
                        "strategy": strategy,
                        "environment": {
                            "type": "string",
                            "minLength": 1,
                            "description": "The GitHub deployment environment (default production).",
                        },
                    },
                    "required": ["strategy"],
                    "additionalProperties": False,
                },
                "description": (
                    "How to find what runs in production: one of "
                    + ", ".join(DEPLOYED_REF_STRATEGIES)
                    + ", or {strategy: ..., environment: NAME}."
                ),
            },
            "promotion_branch": {
                "type": ["string", "null"],
                "minLength": 1,
                "format": NAME_PATTERN_FORMAT,
                "description": (
                    "The name pattern of promotion branches (for deployed_ref: promotion-branch), or null. "
                    + _PATTERN_HELP
                ),
            },
            "version_files": {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "description": "A path in the repository."},
                "description": "Files in the repository that carry the version number.",
            },
            "since": {
                "type": "string",
                "minLength": 1,
                "if": {"pattern": DATE_PATTERN},
                "then": {"format": "date"},
                "description": ("Check history only from here on: a git revision (sha, tag) or a date YYYY-MM-DD."),
            },
            "until": dict(
                date,
                description=(
                    "The last day this process held (YYYY-MM-DD): changes that reached production after it "
                    "(the repository went trunk-based, say) are not judged and not listed as hotfixes."
                ),
            ),
            "could_not_check": {
                "enum": list(SEVERITIES),
                "default": "warning",
                "description": (
                    "Severity of a check that could not be made (GitHub refused access or rate-limited, "
                    "an object missing from a partial clone): warning (default), error (fail the check), "
                    "or off (say nothing). Never above the rule's own severity."
                ),
            },
            "rules": {
                "type": "object",
                "description": (
                    "Rule settings by rule id: a severity (error, warning, off) or {severity: ..., OPTION: VALUE}."
                ),
                "properties": {},
                "additionalProperties": False,
            },
            "exceptions": {
                "type": "array",
                "items": waiver,
                "description": "Waivers: {rule, commit or branch, reason, expires (optional)}.",
            },
        },
        "additionalProperties": False,
    }
