"""A ``cached_property`` that a forked child can always read.

Python 3.10 and 3.11's :func:`functools.cached_property` computes under one lock per property,
shared by every instance. The watchdog (:mod:`hotfix_lint.watchdog`) forks its children from
the audit's worker threads: a fork while another thread computes such a property leaves the
lock held by a thread the child does not have, and the child's first read of that property on
any instance waits for ever, while its heartbeat keeps beating. Python 3.12 dropped the lock;
this is its descriptor, for every version: an attribute computed twice by two threads at once
is harmless here (the values are equal; a memo made twice, such as an empty dict a collector
fills, loses one thread's entries, which are read again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


class cached_property(Generic[T]):
    """The method's value, computed on first read and kept in the instance's ``__dict__``
    (which a frozen dataclass has too): later reads never reach the descriptor again."""

    def __init__(self, function: Callable[[Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | cached_property[T]:
        if instance is None:
            return self
        value = self.function(instance)
        instance.__dict__[self.name] = value
        return value
