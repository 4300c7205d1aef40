"""``--format FORMAT[=FILE]`` and ``--output FILE``: where each report format goes.

Shared by ``check`` and ``audit`` so both read the same flags the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotfix_lint.errors import UserError


def parse_formats(
    values: Sequence[str] | None, output: str | None, known: Sequence[str], example: str = "sarif=hotfix-lint.sarif"
) -> list[tuple[str, str | None]]:
    """``--format FORMAT[=FILE]`` (repeatable) and ``--output FILE``: (format, file or None for stdout).

    ``--output`` is the file of the last ``--format`` given without one (``--format text --format
    sarif --output report.sarif``: text on standard output, SARIF in the file). At most one
    format goes to standard output; a format or a file is named once.
    """
    targets: list[tuple[str, str | None]] = []
    for value in values or ["text"]:
        name, sep, path = value.partition("=")
        name = name.strip()
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UserError(f"--format {value}: unknown format {name!r}{hint}; choose from {', '.join(known)}")
        if sep and not path:
            raise UserError(f"--format {value}: expected FORMAT=FILE, such as {example}")
        if any(name == seen for seen, _ in targets):
            raise UserError(f"--format {name} is given twice")
        targets.append((name, path or None))
    if output is not None:
        bare = [i for i, (_, path) in enumerate(targets) if path is None]
        if not bare:
            raise UserError(f"--output {output}: every --format already names its file (FORMAT=FILE)")
        targets[bare[-1]] = (targets[bare[-1]][0], output)
    to_stdout = [name for name, path in targets if path is None]
    if len(to_stdout) > 1:
        raise UserError(
            f"--format: {' and '.join(to_stdout)} would both go to standard output; "
            f"give all but one a file: --format {to_stdout[-1]}=FILE"
        )
    paths = [path for _, path in targets if path is not None]
    for path in paths:
        if paths.count(path) > 1:
            raise UserError(f"--format: {path} is named for two formats")
    return targets
