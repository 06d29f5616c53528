"""The seeds a streaming build checks tasks against, as flat buffers instead of a dict of objects.

A dict of validate.SeedRef costs ~350 bytes per document in every process, and every lookup writes reference
counts into it, so each forked worker soon holds a private copy: with as many documents as tasks the build's memory
grew with N. Here a document is a 64-bit hash of its doc_id, the doc_id's UTF-8 bytes (in one buffer), the 32-byte
digest of its clean text and a language code: ~70 bytes per document, no Python object per entry, pages shared by
forked workers and pickled in one piece for Ray. Entries are sorted by hash, so a lookup is one C-level bisect over
an array of 64-bit integers plus a byte comparison that confirms the candidate (~4 us at 200,000 documents; a
bisect over the doc_id bytes with a Python key function took ~10-16 us). Equal hashes are adjacent and each is
compared, so a collision never gives a wrong answer, only another comparison. The hash is blake2b, not hash(): it
must be the same in every process that unpickles the table (Ray workers are not forked).
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from typing import Any

from corpus.gold.validate import SeedRef

DIGEST = 32
FORMAT = 2  # bumped when the pickled layout changes (benchmarks cache pickled tables under this number)


def key_hash(key: bytes) -> int:
    """The 64-bit hash entries are sorted by: the same in every process and every run."""
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")


class SeedTable(Mapping[str, SeedRef]):
    """A read-only Mapping doc_id -> SeedRef (what validate.validate_task takes), plus `digest` for the fast path."""

    _hash = staticmethod(key_hash)  # a test subclass makes it collide

    def __init__(self, refs: Mapping[str, SeedRef]) -> None:
        keyed = ((doc_id.encode("utf-8", "surrogatepass"), ref) for doc_id, ref in refs.items())
        items = sorted((self._hash(key), key, ref) for key, ref in keyed)
        self._format = FORMAT
        self._languages = tuple(sorted({ref.language for _, _, ref in items}))
        code = {language: i for i, language in enumerate(self._languages)}
        self._hashes = array("Q", (h for h, _, _ in items))
        self._ids = b"".join(key for _, key, _ in items)
        ends = [0] * len(items)
        end = 0
        for i, (_, key, _) in enumerate(items):
            end += len(key)
            ends[i] = end
        self._ends = array("I" if end < 1 << 32 else "Q", ends)  # 4 bytes a document below 4 GB of doc_ids
        self._digests = b"".join(bytes.fromhex(ref.sha256) for _, _, ref in items)
        self._codes = bytes(code[ref.language] for _, _, ref in items)

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("_format") != FORMAT:  # e.g. a benchmark's cached pickle of the sorted-bytes layout
            raise ValueError("a seed table pickled by another version of corpus.scale.seedtable: build it again")
        self.__dict__.update(state)

    def _key(self, index: int) -> bytes:
        start = self._ends[index - 1] if index else 0
        return self._ids[start:self._ends[index]]

    def digest(self, doc_id: str) -> tuple[bytes, str] | None:
        """(sha256 digest of the seed's clean text, its language), or None for a document the seeds lack."""
        key = doc_id.encode("utf-8", "surrogatepass")
        h = self._hash(key)
        hashes = self._hashes
        index = bisect_left(hashes, h)
        while index < len(hashes) and hashes[index] == h:  # equal hashes are adjacent: compare each
            if self._key(index) == key:
                return self._digests[index * DIGEST:(index + 1) * DIGEST], self._languages[self._codes[index]]
            index += 1
        return None

    def __getitem__(self, doc_id: str) -> SeedRef:
        found = self.digest(doc_id) if isinstance(doc_id, str) else None
        if found is None:
            raise KeyError(doc_id)
        return SeedRef(found[0].hex(), found[1])

    def __iter__(self) -> Iterator[str]:
        return (self._key(i).decode("utf-8", "surrogatepass") for i in range(len(self._ends)))

    def __len__(self) -> int:
        return len(self._ends)


def as_table(refs: Mapping[str, SeedRef] | None) -> SeedTable | None:
    """`refs` as a SeedTable (a table is kept as it is, None stays None)."""
    return refs if refs is None or isinstance(refs, SeedTable) else SeedTable(refs)


def text_digest(text: str) -> bytes:
    """What SeedTable.digest compares with: the sha256 of the text as the seed check hashes it."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
