"""Rules: one module per rule id, listed explicitly in :mod:`hotfix_lint.rules.registry`."""
