"""SeedTable is a drop-in for the dict of SeedRef it replaces: same lookups, same misses, much less memory."""

from __future__ import annotations

import hashlib
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.gold.validate import SeedRef
from corpus.scale.seedtable import SeedTable, text_digest

doc_ids = st.text(min_size=1, max_size=12)  # any str, lone surrogates included
refs = st.dictionaries(doc_ids, st.tuples(st.binary(min_size=32, max_size=32), st.sampled_from(["en", "es"])),
                       max_size=30).map(lambda d: {k: SeedRef(h.hex(), lang) for k, (h, lang) in d.items()})


class Colliding(SeedTable):
    """Every doc_id hashes alike, or to one of two values: lookups must still be exact (module level: picklable)."""

    @staticmethod
    def _hash(key: bytes) -> int:
        return 7 if len(key) % 2 else 2**64 - 1


@pytest.mark.parametrize("kind", [SeedTable, Colliding])
@given(table_refs=refs, others=st.lists(doc_ids, max_size=10))
def test_lookups_equal_the_dict(kind: type[SeedTable], table_refs: dict[str, SeedRef], others: list[str]) -> None:
    table = kind(table_refs)
    assert len(table) == len(table_refs) and set(table) == set(table_refs)
    for doc_id in [*table_refs, *others]:
        assert table.get(doc_id) == table_refs.get(doc_id)
        found = table.digest(doc_id)
        ref = table_refs.get(doc_id)
        assert (found is None) == (ref is None)
        if found is not None and ref is not None:
            assert found == (bytes.fromhex(ref.sha256), ref.language)
    again = pickle.loads(pickle.dumps(table))
    assert type(again) is kind and again == table_refs
    for doc_id in [*table_refs, *others]:
        assert again.digest(doc_id) == table.digest(doc_id)


def test_equal_hashes_are_all_compared() -> None:
    """With one hash for all, the bisect lands on the first of the run and each candidate is compared in turn."""
    keys = ["a", "b", "c", "\udc80", "é", "ab"]
    table = Colliding({k: SeedRef(hashlib.sha256(k.encode("utf-8", "surrogatepass")).hexdigest(), "en")
                       for k in keys})
    for k in keys:
        assert table.digest(k) == (hashlib.sha256(k.encode("utf-8", "surrogatepass")).digest(), "en")
    for missing in ["d", "", "abc", "\udc81", "e"]:
        assert table.digest(missing) is None and missing not in table


def test_an_older_pickle_is_refused() -> None:
    """A table pickled with another layout (the benchmarks cache them) must not be read as this one."""
    table = SeedTable({"a": SeedRef("00" * 32, "en")})
    state = dict(table.__dict__)
    del state["_format"]
    with pytest.raises(ValueError, match="build it again"):
        SeedTable.__new__(SeedTable).__setstate__(state)


def test_text_digest_is_what_the_seed_check_hashes() -> None:
    text = "Caracas \u2014 caf\u00e9 \udc80"  # a lone surrogate, as json can decode one
    assert text_digest(text) == hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def test_a_table_costs_less_than_the_dict() -> None:
    """~70 bytes a document in three buffers, against ~350 for the dict of SeedRef objects."""
    many = {f"{n:06d}_{n * 7919:016x}": SeedRef(hashlib.sha256(str(n).encode()).hexdigest(), "en")
            for n in range(20_000)}
    table = SeedTable(many)
    size = (len(table._ids) + table._ends.itemsize * len(table._ends) + len(table._digests) + len(table._codes)
            + table._hashes.itemsize * len(table._hashes))
    assert size / len(many) < 70
