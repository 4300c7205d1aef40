"""Allow ``python -m hotfix_lint``."""

from __future__ import annotations

from hotfix_lint.console import run

if __name__ == "__main__":
    run()
