"""One output folder's nodes during a build: what changed since the last build into it, what
that touches, and what to record for the next one.

The last successful build left every node with its digest (`Store.nodes`).
This build puts in the inputs as they are now, then each layer of queries in
turn (parse, index, bodies and cards, pages). A node whose new digest equals
the recorded one is unchanged, and what read it need not run (early cut-off);
a changed one is added to `changed`, and `stale` finds, through the recorded
reads, exactly the nodes of the next layer that must run again.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsgen.engine.store import NO_VALUE, Node, Store, fingerprint
from newsgen.engine.tracker import Frame


class Graph:
    def __init__(self, store: Store, profile: int | None, stamp: float) -> None:
        self.store = store
        self.profile = profile
        self.stamp = stamp  # the build clock, as a timestamp
        self.changed: set[str] = set()
        self._known: dict[str, bytes] = {}  # digests as they are in this build
        self._old: dict[str, Node] = {}  # recorded nodes looked at in this build
        # A profile with no records yet has nothing to look up.
        self._nothing_recorded = profile is None or not store.has_nodes(profile)
        self._written: dict[str, tuple[Node, object]] = {}
        self._gone: set[str] = set()
        self._out_of_time: set[str] | None = None
        self._touched: set[str] = set()  # nodes that read a changed one
        self._asked: set[str] = set()  # changed names whose readers are in _touched
        self._light: set[str] = set()  # recorded nodes loaded without what they read
        self._prefixes: set[str] = set()  # every recorded node under these is in _old

    # --- what the last build recorded ---

    def load_prefix(self, prefix: str) -> dict[str, Node]:
        """The recorded nodes under `prefix`, without what they read (read when needed)."""
        if self._nothing_recorded or self.profile is None or prefix in self._prefixes:
            return {n: v for n, v in self._old.items() if n.startswith(prefix)}
        found = self.store.nodes(self.profile, prefix=prefix, deps=False)
        for name, node in found.items():
            if name not in self._old:
                self._old[name] = node
                self._light.add(name)
        self._prefixes.add(prefix)
        return found

    def old(self, name: str) -> Node | None:
        if name not in self._old and not self._nothing_recorded and self.profile is not None \
                and not name.startswith(tuple(self._prefixes)):
            self._old.update(self.store.nodes(self.profile, names=[name]))
        return self._old.get(name)

    def recorded(self, prefix: str) -> set[str]:
        """Names of the recorded nodes under `prefix` (the pages of the last build)."""
        return set(self.load_prefix(prefix))

    # --- this build ---

    def digest(self, name: str) -> bytes | None:
        """The digest of `name` in this build: as put, or as recorded when it did not run."""
        if name in self._known:
            return self._known[name]
        if name in self._gone:
            return None
        node = self.old(name)
        return node.digest if node else None

    def put(self, name: str, digest: bytes, value: object = NO_VALUE,
            frame: Frame | None = None) -> bool:
        """A node as this build found it; True if it changed since the last build.

        `frame`: what the query that made it read. `value`: kept for later builds
        that do not run the query but need its answer.
        """
        self._known[name] = digest
        node = Node(digest, None if frame is None else tuple(sorted(frame.deps)),
                    None if frame is None or frame.after == float("-inf") else frame.after,
                    None if frame is None or frame.until == float("inf") else frame.until)
        old = self.old(name)
        self._gone.discard(name)
        # An equal digest is an equal value, and the stored one stays; a query that ran
        # again is written again, since what it read may differ.
        if old is None or frame is not None or old.digest != digest:
            self._written[name] = (node, value)
        if old is None or old.digest != digest:
            self.changed.add(name)
            return True
        return False

    def drop(self, names: Iterable[str]) -> None:
        """Nodes that no longer exist: a change for whatever read them."""
        for name in names:
            if self.old(name) is not None or name in self._known:
                self._gone.add(name)
                self.changed.add(name)
            self._known.pop(name, None)
            self._written.pop(name, None)

    def out_of_time(self) -> set[str]:
        """Recorded nodes whose answer does not hold at this build's clock."""
        if self._out_of_time is None:
            self._out_of_time = self.store.out_of_time(self.profile, self.stamp) \
                if self.profile is not None else set()
        return self._out_of_time

    def stale(self, names: Iterable[str]) -> set[str]:
        """Of the recorded nodes `names`, those that must run again: something they read
        changed, or the clock left the interval their answer holds in."""
        self._ask()
        return set(names) & (self._touched | self.out_of_time())

    def stale_under(self, prefix: str) -> set[str]:
        """The recorded nodes under `prefix` that must run again (see `stale`), found
        without listing the others."""
        self._ask()
        return {name for name in self._touched | self.out_of_time() if name.startswith(prefix)}

    def _ask(self) -> None:
        """Find the readers of the names that changed since the last call."""
        if self.profile is None or self._nothing_recorded:  # a first build: no readers
            return
        ask = self.changed - self._asked
        self._touched |= self.store.readers(self.profile, ask)
        self._asked |= ask

    def inputs(self, frame: Frame, own: dict[str, bytes] | None = None) -> bytes:
        """A digest of everything a query read, with the digests they had: equal inputs,
        an equal answer. `own`: digests the query knows better (what it made itself)."""
        own = own or {}
        if len(frame.deps) > 50:  # a query that read many: their digests read by kind
            kinds: dict[str, int] = {}
            for name in frame.deps:
                if name not in self._known and name not in self._old:
                    kind = name.partition(":")[0] + ":"
                    kinds[kind] = kinds.get(kind, 0) + 1
            for kind, count in kinds.items():
                if count > 50:
                    self.load_prefix(kind)
        known = self._known  # most names were put in this build: looked up directly
        return fingerprint([(name, own.get(name) or known.get(name) or self.digest(name) or b"")
                            for name in sorted(frame.deps)], frame.after, frame.until)

    def commit(self) -> None:
        """Record this build's nodes, in one transaction."""
        if self.profile is None:
            return
        gone = [name for name in self._gone if name not in self._written]
        for name in gone:
            self.old(name)
        light = [name for name in (*self._written, *gone) if name in self._light]
        for name, deps in self.store.deps(self.profile, light).items():
            node = self._old[name]
            self._old[name] = Node(node.digest, deps, node.after, node.until)
        self.store.record(self.profile, self._written, self._old, gone)
