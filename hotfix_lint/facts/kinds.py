"""Names of the fact kinds a rule can require; the collector gathers their union."""

from __future__ import annotations

GIT_HISTORY = "git-history"
GIT_BRANCH = "git-branch"
COMMIT_MESSAGE = "commit-message"
#: the policy's version files at each hotfix's release point, and each hotfix's own diff
VERSION_FILES = "version-files"
DIFF_STATS = "diff-stats"
#: the paths each hotfix of production history changes (a tree diff per hotfix)
CHANGED_PATHS = "changed-paths"
#: which hotfix branches still exist, and whether they are merged
BRANCH_STATE = "branch-state"
#: each non-hotfix change on production, and when the integration branch received it
INTEGRATION_COVERAGE = "integration-coverage"
#: GitHub Actions workflows in .github/workflows
WORKFLOWS = "ci-workflows"
#: promotion branches (prod/hotfix/{date}_{slug}) and the production timeline
PROMOTION = "promotion-branches"
#: GitHub (``collect.github.collector``): repository settings, branch protection and rulesets
GITHUB = "github"
#: GitHub: the deployment environment and its deployments
GITHUB_DEPLOYMENTS = "github-deployments"
#: GitHub: merged pull requests into production and promotion branches, with their reviews
GITHUB_PULLS = "github-pulls"
#: GitHub: who may bypass the rulesets, the classic protection and the environment's reviewers
GITHUB_BYPASS = "github-bypass"
#: GitHub: the state of each Actions workflow (active, disabled_manually, disabled_inactivity)
GITHUB_WORKFLOWS = "github-workflows"
#: every kind read from GitHub: none is collected without a token and a repository
GITHUB_KINDS = frozenset({GITHUB, GITHUB_DEPLOYMENTS, GITHUB_PULLS, GITHUB_BYPASS, GITHUB_WORKFLOWS})
