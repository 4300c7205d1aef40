"""Names of the fact kinds a rule can require; the collector gathers their union."""

from __future__ import annotations

GIT_HISTORY = "git-history"
GIT_BRANCH = "git-branch"
COMMIT_MESSAGE = "commit-message"
