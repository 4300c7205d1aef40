"""hotfix-lint: check repositories against their written hotfix process.

Only the version lives here so that importing the package stays cheap (pre-commit hooks).
"""

__version__ = "0.1.0"
