"""Reporters: one class per format, looked up by name and imported only when asked for."""

from __future__ import annotations

import importlib
from typing import IO, Protocol

from hotfix_lint.results import Report


class Reporter(Protocol):
    """Renders a whole report to a text stream."""

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None: ...


#: format name -> "module:Class"; the module is imported only when the format is used
FORMATS: dict[str, str] = {
    "text": "hotfix_lint.report.text:TextReporter",
    "json": "hotfix_lint.report.json_report:JsonReporter",
}


def get_reporter(name: str) -> Reporter:
    module_name, _, class_name = FORMATS[name].partition(":")
    reporter: Reporter = getattr(importlib.import_module(module_name), class_name)()
    return reporter
