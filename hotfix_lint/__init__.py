"""hotfix-lint: check repositories against their written hotfix process.

Only the version lives here so that importing the package stays cheap (pre-commit hooks).
"""

__version__ = "0.1.0"
#: the command's name, as messages and reports give it
TOOL_NAME = "hotfix-lint"

#: the published documentation (``docs/``, built with MkDocs); rule pages are ``rules/#RULE-ID``
DOCS_URL = "https://your-org.github.io/hotfix-lint/"
