"""The organisation audit: the check, once per repository, from a cache of mirrors.

``selection`` decides which repositories (an organisation, a file, names; globs; shards),
``runner`` audits each in isolation (``collect.git.mirror`` for history, ``collect.github.org``
for listings and policy files, ``state`` for what the last run learnt), ``baseline`` marks
what changed since a previous report and ``merge`` joins shard reports; ``model`` is the
audit report, and ``report_*`` render it. Its command line is :mod:`hotfix_lint.cli.audit`.
"""
