"""Python's cycle collector tuned for a history read: millions of objects that live to the end.

With the default thresholds the collector runs every 700 allocations and, as objects age,
walks the whole growing heap of commit and hotfix facts again and again: about 5% of a check of
git/git (98 collections; 17 with these thresholds). While a history is read (``check`` keeps
them for its whole run: the findings are judged and written from those facts), collections
are made rarer, as mypy does while it builds its graph; they are not turned off, so the
cycles an exception leaves behind are still freed, and the caller's thresholds come back.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: allocations between young collections, and collections between older ones (CPython: 700, 10, 10)
THRESHOLDS = (200_000, 30, 30)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Rarer cycle collections inside the block, the caller's thresholds after it."""
    before = gc.get_threshold()
    if before[0] == 0 or before[0] >= THRESHOLDS[0]:
        yield  # collection is off, or already as rare: the caller's choice stands
        return
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
