"""Allow ``python -m hotfix_lint``."""

from __future__ import annotations

import sys

from hotfix_lint.cli import main

if __name__ == "__main__":
    sys.exit(main())
