"""The seeds a streaming build checks tasks against, as three flat buffers instead of a dict of objects.

A dict of validate.SeedRef costs ~350 bytes per document in every process, and every lookup writes reference
counts into it, so each forked worker soon holds a private copy: with as many documents as tasks the build's memory
grew with N. Here a document is its doc_id's UTF-8 bytes (in one buffer, sorted), the 32-byte digest of its clean
text and a language code: ~70 bytes per document, no Python object per entry, pages shared by forked workers and
pickled in one piece for Ray. A lookup is a binary search (~20 comparisons of short byte strings).
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping

from corpus.gold.validate import SeedRef

DIGEST = 32


class SeedTable(Mapping[str, SeedRef]):
    """A read-only Mapping doc_id -> SeedRef (what validate.validate_task takes), plus `digest` for the fast path."""

    def __init__(self, refs: Mapping[str, SeedRef]) -> None:
        items = sorted((doc_id.encode("utf-8", "surrogatepass"), ref) for doc_id, ref in refs.items())
        self._languages = tuple(sorted({ref.language for _, ref in items}))
        code = {language: i for i, language in enumerate(self._languages)}
        self._ids = b"".join(key for key, _ in items)
        self._ends = array("q")
        end = 0
        for key, _ in items:
            end += len(key)
            self._ends.append(end)
        self._digests = b"".join(bytes.fromhex(ref.sha256) for _, ref in items)
        self._codes = bytes(code[ref.language] for _, ref in items)

    def _key(self, index: int) -> bytes:
        start = self._ends[index - 1] if index else 0
        return self._ids[start:self._ends[index]]

    def _index(self, doc_id: str) -> int | None:
        key = doc_id.encode("utf-8", "surrogatepass")
        index = bisect_left(range(len(self._ends)), key, key=self._key)
        return index if index < len(self._ends) and self._key(index) == key else None

    def digest(self, doc_id: str) -> tuple[bytes, str] | None:
        """(sha256 digest of the seed's clean text, its language), or None for a document the seeds lack."""
        index = self._index(doc_id)
        if index is None:
            return None
        return self._digests[index * DIGEST:(index + 1) * DIGEST], self._languages[self._codes[index]]

    def __getitem__(self, doc_id: str) -> SeedRef:
        found = self.digest(doc_id) if isinstance(doc_id, str) else None
        if found is None:
            raise KeyError(doc_id)
        return SeedRef(found[0].hex(), found[1])

    def __iter__(self) -> Iterator[str]:
        return (self._key(i).decode("utf-8", "surrogatepass") for i in range(len(self._ends)))

    def __len__(self) -> int:
        return len(self._ends)


def text_digest(text: str) -> bytes:
    """What SeedTable.digest compares with: the sha256 of the text as the seed check hashes it."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
