"""Infer a repository's hotfix process from its history (``hotfix-lint init``, ``check`` without a policy).

:mod:`hotfix_lint.collect.git.inference` reads the repository once into the plain records of
:mod:`hotfix_lint.facts.line_records` (git stays in ``collect``; :mod:`.run` drives it);
:mod:`.decide` turns those records into values with their evidence (pure, unit tested),
the branch-name families it reads from :mod:`.families`;
:mod:`.render` writes the policy (commented YAML, or JSON) that extends the closest built-in
pack with only the keys that differ; :mod:`.policy_file` loads it, for ``check`` and
``hotfixes`` without a policy.
"""
