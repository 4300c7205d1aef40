"""Infer a repository's hotfix process from its history (``hotfix-lint init``, ``check`` without a policy).

:mod:`.observe` reads the repository once into plain records (the only module here that
touches git); :mod:`.decide` turns those records into values with their evidence (pure, unit
tested); :mod:`.render` writes the policy (commented YAML, or JSON) that extends the closest
built-in pack with only the keys that differ.
"""
