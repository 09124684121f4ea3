"""An LRU cache of inline completions that also serves the user typing along a suggestion.

Keys are the text around the cursor (a window of the prefix and the suffix) plus the model id.
When the user types the first characters of a shown suggestion, the new prefix equals an old
prefix plus what was typed; if the typed text starts the cached completion, the rest of it is
returned without asking the model again.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import threading

PREFIX_WINDOW = 1500
SUFFIX_WINDOW = 400
#: How many characters of typing along a suggestion are still served from it.
MAX_TYPED = 200


@dataclasses.dataclass(frozen=True)
class Entry:
    """One cached completion."""

    prefix: str  # the prefix window at request time
    suffix: str  # the suffix window at request time
    model: str
    completion: str


def _key(prefix: str, suffix: str, model: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in (model, "\x00", prefix[-PREFIX_WINDOW:], "\x00", suffix[:SUFFIX_WINDOW]):
        h.update(part.encode("utf-8", errors="replace"))
    return h.hexdigest()


class CompletionCache:
    """Thread-safe LRU of completions keyed by (prefix window, suffix window, model)."""

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._items: collections.OrderedDict[str, Entry] = collections.OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def put(self, prefix: str, suffix: str, model: str, completion: str) -> None:
        """Remember a completion (empty ones too: asking again would give nothing again)."""
        entry = Entry(prefix[-PREFIX_WINDOW:], suffix[:SUFFIX_WINDOW], model, completion)
        k = _key(prefix, suffix, model)
        with self._lock:
            self._items[k] = entry
            self._items.move_to_end(k)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def get(self, prefix: str, suffix: str, model: str) -> str | None:
        """The cached completion for exactly this context, or the rest of one being typed along."""
        k = _key(prefix, suffix, model)
        with self._lock:
            entry = self._items.get(k)
            if entry is not None:
                self._items.move_to_end(k)
                self.hits += 1
                return entry.completion
            found = self._typed_along(prefix, suffix, model)
            if found is not None:
                self.hits += 1
                return found
            self.misses += 1
            return None

    def _typed_along(self, prefix: str, suffix: str, model: str) -> str | None:
        pw = prefix[-PREFIX_WINDOW:]
        sw = suffix[:SUFFIX_WINDOW]
        # Newest first; only a handful are recent enough to be typed along.
        for entry in list(reversed(self._items.values()))[:32]:
            if entry.model != model or not entry.completion or entry.suffix != sw:
                continue
            for typed_len in range(1, min(MAX_TYPED, len(entry.completion)) + 1):
                typed = entry.completion[:typed_len]
                if not pw.endswith(typed):
                    continue
                # The old prefix window shifted by the typed characters must match the new one.
                old = entry.prefix + typed
                if old[-len(pw) :] == pw or pw.endswith(old[-min(len(old), len(pw)) :]):
                    rest = entry.completion[typed_len:]
                    return rest or None
        return None

    def clear(self) -> None:
        """Forget everything (model or settings changed)."""
        with self._lock:
            self._items.clear()
