"""What a rule is: a small class whose metadata are class attributes.

Every rule declares its id, a one-line summary, a longer explanation (the single source of
``hotfix-lint explain``, docs/rules.md and SARIF rule descriptors), its default severity,
a JSON Schema for its options and the fact kinds it needs. ``check`` is a pure function of
the facts: no git, no network, no clock, no environment.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from hotfix_lint.facts import RepositoryFacts, kinds
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import Finding, Severity

#: Fact kinds a rule can require; the collector gathers the union of what selected rules need.
FACT_GIT_HISTORY = kinds.GIT_HISTORY
FACT_GIT_BRANCH = kinds.GIT_BRANCH
FACT_COMMIT_MESSAGE = kinds.COMMIT_MESSAGE


@dataclass(frozen=True)
class RuleContext:
    """What a rule may read besides the facts: the policy and its own options."""

    policy: Policy
    options: Mapping[str, Any]
    now: int


class Rule:
    """Base class; subclasses set the metadata and implement :meth:`check`."""

    id: ClassVar[str]
    summary: ClassVar[str]
    explanation: ClassVar[str]
    default_severity: ClassVar[Severity] = Severity.ERROR
    options_schema: ClassVar[Mapping[str, Any]] = {}
    requires: ClassVar[frozenset[str]] = frozenset({FACT_GIT_HISTORY, FACT_GIT_BRANCH})
    #: An opt-in rule runs only when the policy names it under ``rules:`` (or ``--rule`` asks for
    #: it): it checks a step that only some processes have (a CI trigger, promotion branches).
    opt_in: ClassVar[bool] = False
    #: Kinds read when they can be (GitHub with a token) and used then; when they cannot, the
    #: rule still runs on ``requires`` alone.
    uses: ClassVar[frozenset[str]] = frozenset()

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def option_defaults(cls) -> dict[str, Any]:
        props = cls.options_schema.get("properties", {})
        return {name: spec["default"] for name, spec in props.items() if "default" in spec}

    def finding(self, message: str, **kwargs: Any) -> Finding:
        """Shorthand so every finding carries this rule's id."""
        return Finding(rule=self.id, message=message, **kwargs)


def options_object(**properties: Mapping[str, Any]) -> dict[str, Any]:
    """An options schema: an object with these properties and nothing else."""
    return {"type": "object", "properties": dict(properties), "additionalProperties": False}
