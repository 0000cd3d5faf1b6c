"""What each query read, recorded as it reads it: no dependency is ever listed by hand.

A query (parse an article, the library's index, a card, a body, a page) runs
inside `recording()`. Every tracked read made while it runs lands in its frame:
a setting of site.yaml (through `tracked`), a value of the library, a file, a
template, and the build clock, as the interval in which the query's answer
holds. A query run inside another gets its own frame, so a page that shows a
card depends on the card, not on what the card was made from: when the card
comes out the same, the page is not touched (early cut-off).

The stack of running frames is the one piece of module state: reads happen
deep inside templates and views, which cannot be handed a recorder. A forked
worker starts with the stack its parent had, which is empty between queries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Frame:
    """What one running query has read so far."""

    deps: set[str] = field(default_factory=set)
    after: float = -math.inf  # the answer holds for build clocks in [after, until)
    until: float = math.inf

    def holds_at(self, stamp: float) -> bool:
        return self.after <= stamp < self.until


_frames: list[Frame] = []


def read(key: str) -> None:
    """Note that the running query read `key` (nothing happens outside a query)."""
    if _frames:
        _frames[-1].deps.add(key)


@contextmanager
def recording() -> Iterator[Frame]:
    frame = Frame()
    _frames.append(frame)
    try:
        yield frame
    finally:
        _frames.pop()


class Clock:
    """The build clock. Every comparison with it narrows the running query's interval, so a
    rebuild knows, without running the query, whether a new clock changes its answer."""

    __slots__ = ("now", "stamp")

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.stamp = now.timestamp()

    def reached(self, moment: datetime) -> bool:
        """Whether `moment` is at or before the clock."""
        at = moment.timestamp()
        passed = at <= self.stamp
        if _frames:
            frame = _frames[-1]
            if passed:
                frame.after = max(frame.after, at)
            else:
                frame.until = min(frame.until, at)
        return passed

    def read(self) -> datetime:
        """The time itself: an answer made from it holds at this very instant only."""
        if _frames:
            frame = _frames[-1]
            frame.after = max(frame.after, self.stamp)
            frame.until = min(frame.until, math.nextafter(self.stamp, math.inf))
        return self.now


class Tracked:
    """An object whose attributes are recorded as `prefix:name` when read (site.yaml).

    The real object stays reachable as `untracked` for code that runs outside
    any query and must not be charged to one.
    """

    __slots__ = ("_prefix", "untracked")

    def __init__(self, target: object, prefix: str) -> None:
        object.__setattr__(self, "untracked", target)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> object:
        if _frames:
            _frames[-1].deps.add(f"{self._prefix}:{name}")
        return getattr(self.untracked, name)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{name} is read-only")

    def __reduce__(self) -> tuple[object, tuple[object, str]]:
        return (Tracked, (self.untracked, self._prefix))


class TrackedMapping(Mapping[str, object]):
    """A mapping whose lookups are recorded as `prefix:key` (the static files: a page that
    shows /images/a.png depends on that file, not on the others); walking all of it is
    recorded as `prefix`."""

    __slots__ = ("_data", "_prefix")

    def __init__(self, data: Mapping[str, object], prefix: str) -> None:
        self._data = data
        self._prefix = prefix

    def __getitem__(self, key: str) -> object:
        read(f"{self._prefix}:{key}")
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        read(f"{self._prefix}:{key}")
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        read(self._prefix)
        return iter(self._data)

    def __len__(self) -> int:
        read(self._prefix)
        return len(self._data)


class Memo:
    """Values made once and read by many queries (a site's menu, a date in words): every
    query that reads one is charged with what making it read, as if it made it."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: dict[object, tuple[object, Frame]] = {}

    def get(self, key: object, make: Callable[[], object]) -> object:
        hit = self._found.get(key)
        if hit is None:
            with recording() as frame:
                value = make()
            hit = self._found[key] = (value, frame)
        value, made = hit
        if _frames:
            frame = _frames[-1]
            frame.deps |= made.deps
            frame.after = max(frame.after, made.after)
            frame.until = min(frame.until, made.until)
        return value
