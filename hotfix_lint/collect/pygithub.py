"""PyGithub, imported without the part of it hotfix-lint never uses.

PyGithub imports ``jwt`` (and with it much of ``cryptography``) as it starts, for GitHub App
authentication only; hotfix-lint authenticates with a token, so that import (about 55 ms
here, a quarter of PyGithub's) only delays every audit, every check that reads GitHub, and
every status posted. :func:`import_github` puts a stand-in for ``jwt`` in ``sys.modules``
that imports the real module the first time any of its names is read (PEP 562's module
``__getattr__``), then imports PyGithub. Whoever uses ``jwt`` gets the real thing, only later.
(``importlib.util.LazyLoader`` cannot do this: the ``import jwt`` statement itself reads the
module's ``__spec__``, which makes a lazy module load at once.)
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

#: modules PyGithub imports as it starts and uses only for GitHub App authentication
APP_AUTH_ONLY = ("jwt",)


def import_github() -> ModuleType:
    """The ``github`` package (PyGithub), its App-only dependencies imported on first use."""
    if "github" not in sys.modules:
        for name in APP_AUTH_ONLY:
            _import_on_first_use(name)
    import github

    return github


def _import_on_first_use(name: str) -> None:
    if name in sys.modules or importlib.util.find_spec(name) is None:
        return  # already imported, or not installed (PyGithub's own import then says so)
    stand_in = ModuleType(name, f"stands for {name} until first used (hotfix_lint.collect.pygithub)")

    def real_attribute(attribute: str) -> Any:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        real = importlib.import_module(name)
        stand_in.__dict__.update(real.__dict__)  # a reference kept to the stand-in works too
        return getattr(real, attribute)

    stand_in.__getattr__ = real_attribute  # type: ignore[method-assign]
    sys.modules[name] = stand_in
