"""The values queries put out, as a build reads them: made in this build, else as the last
build recorded them, read from the store when first asked for.

The values of a bulk kind (every url:, every plan: page) are stored together,
under kind:<kind>: a page that needs one reads them all in one go, and a first
build stores a few large values instead of a hundred thousand small ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from newsgen.engine.graph import Graph


class Values(Mapping[str, object]):
    def __init__(self, graph: Graph, bulk: Iterable[str]) -> None:
        self.graph = graph
        self.bulk = frozenset(bulk)  # kinds stored together
        self.made: dict[str, object] = {}
        self._kinds: set[str] = set()  # bulk kinds read from the store already

    def __getitem__(self, name: str) -> object:
        if name in self.made:
            return self.made[name]
        kind, colon, _ = name.partition(":")
        if colon and kind in self.bulk:
            self._kind(kind)
        else:
            graph = self.graph
            self.made.update(graph.store.values(graph.profile, [name])
                             if graph.profile is not None else {})
        return self.made[name]

    def _kind(self, kind: str) -> None:
        if kind in self._kinds:
            return
        self._kinds.add(kind)
        for name, value in (self.last(kind) or {}).items():
            self.made.setdefault(name, value)

    def last(self, kind: str) -> dict[str, object] | None:
        """A bulk kind's values as the last build recorded them; None if it recorded none,
        or they cannot be read."""
        graph, name = self.graph, f"kind:{kind}"
        if graph.profile is None or graph.old(name) is None:
            return None
        found = graph.store.values(graph.profile, [name]).get(name)
        return found if isinstance(found, dict) else None

    def preload(self, prefix: str = "") -> None:
        """Every recorded value under `prefix` (every one: ""), read in one go."""
        graph = self.graph
        if graph.profile is None:
            return
        if prefix:
            self._kind(prefix.rstrip(":"))
            return
        for kind in sorted(self.bulk):
            self._kind(kind)
        for name, value in graph.store.values_of(graph.profile, prefix).items():
            if not name.startswith("kind:"):
                self.made.setdefault(name, value)

    def __iter__(self) -> Iterator[str]:
        return iter(self.made)

    def __len__(self) -> int:
        return len(self.made)
