"""The raw seeds are byte-exact copies and every one has validated provenance in seeds/sources.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from corpus.core.io import sha256_file
from corpus.core.models import Source
from corpus.ingest.clean import load_sources, seed_paths

ROOT = Path(__file__).resolve().parents[2]
SEED_SHA256 = {
    "000_7386fb6615139d98": "a1e6ffea00b1bf3495d6b361732555cb1ef5aacfdd5b40171966b23f969e6ed6",
    "001_7c9c01befe9db6a1": "72a48d8d23f153bf35bc0fef290fb413400a430d91c1986b533757e7e252136e",
    "002_be4fb8517e337c1b": "2b31dd742f815fbb56f8caca5c72b22875bc915e4e0be05664e9317e987bcd0e",
    "003_996e9e76d38065fe": "1aac1d8c8c87e9bb3ce88016a055119739e3c86a40dd33c236ee81093cdff486",
    "004_9743a56a8717204d": "bb78cbfe5736ff2b6e59f197ec4c164fcbde8ff28150889a5ca476c09a8926a6",
}


def test_exactly_the_five_seeds() -> None:
    assert [p.stem for p in seed_paths(ROOT)] == sorted(SEED_SHA256)


@pytest.mark.parametrize("doc_id", sorted(SEED_SHA256))
def test_seed_bytes_unchanged(doc_id: str) -> None:
    assert sha256_file(ROOT / "seeds" / f"{doc_id}.txt") == SEED_SHA256[doc_id]


def test_sources_cover_every_seed_and_validate() -> None:
    raw = tomllib.loads((ROOT / "seeds" / "sources.toml").read_text(encoding="utf-8"))
    assert sorted(raw) == sorted(SEED_SHA256)
    for entry in raw.values():
        Source.model_validate(entry)
    sources = load_sources(ROOT)
    assert sorted(sources) == sorted(SEED_SHA256)


def test_sources_say_how_each_fact_is_known() -> None:
    sources = load_sources(ROOT)
    outlets = {k: (s.outlet.value, s.outlet.how) for k, s in sources.items()}
    assert outlets == {
        "000_7386fb6615139d98": ("EL PAÍS USA Edition", "stated"),
        "001_7c9c01befe9db6a1": (None, "unknown"),
        "002_be4fb8517e337c1b": ("The Associated Press (via Yahoo News)", "inferred"),
        "003_996e9e76d38065fe": ("La Opinión (La Opinión Digital)", "stated"),
        "004_9743a56a8717204d": ("İlke Haber Ajansı (ILKHA)", "stated"),
    }
    assert {k: s.language.value for k, s in sources.items()} == {
        "000_7386fb6615139d98": "en", "001_7c9c01befe9db6a1": "en", "002_be4fb8517e337c1b": "en",
        "003_996e9e76d38065fe": "es", "004_9743a56a8717204d": "en",
    }
    for source in sources.values():
        for fact in (source.outlet, source.language, source.url, source.date):
            # a value exactly when it is known: "unknown" never carries a guess
            assert (fact.value is None) == (fact.how == "unknown")
        assert source.license_note


def test_stated_outlets_appear_in_the_raw_text() -> None:
    """'stated' must be checkable: the outlet's name is in the raw file."""
    names = {"000_7386fb6615139d98": "EL PAÍS USA Edition", "003_996e9e76d38065fe": "La Opinión Digital",
             "004_9743a56a8717204d": "İlke Haber Ajansı"}
    for doc_id, name in names.items():
        assert name in (ROOT / "seeds" / f"{doc_id}.txt").read_text(encoding="utf-8")
