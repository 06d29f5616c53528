"""`corpus export`: each format read back by its own reader (spaCy for DocBin and for CoNLL, a small BRAT reader
here) gives the release's spans, labels, attributes and relations; a text-free twin is refused."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.ingest.clean import seed_paths
from corpus.release.export.source import read_release
from corpus.release.rehydrate import rehydrate

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "build" / "1.1.0"
TWIN = ROOT / "build" / "1.1.0-standoff"
DOCS, SENTENCES = read_release(RELEASE)


def export(tmp_path: Path, fmt: str, release: Path = RELEASE, name: str = "") -> Path:
    out = tmp_path / (name or fmt)
    result = CliRunner().invoke(app, ["export", str(release), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


# ---- BRAT -------------------------------------------------------------------------------------------------
def read_ann(path: Path, text: str) -> dict[str, Any]:
    """A small BRAT standoff reader: T (with fragments), A, # and R lines."""
    spans: dict[str, dict[str, Any]] = {}
    attrs: dict[str, dict[str, str]] = {}
    notes: dict[str, str] = {}
    rels: list[tuple[str, str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        kind = line[0]
        if kind == "T":
            tid, middle, surface = line.split("\t")
            label, _, where = middle.partition(" ")
            frags = [tuple(int(x) for x in f.split(" ")) for f in where.split(";")]
            assert surface == " ".join(text[a:b] for a, b in frags)
            spans[tid] = {"label": label, "start": frags[0][0], "end": frags[-1][1]}
        elif kind == "A":
            _, body = line.split("\t")
            name, tid, value = body.split(" ")
            attrs.setdefault(tid, {})[name] = value
        elif kind == "#":
            _, ref, note = line.split("\t")
            notes[ref.split(" ")[1]] = note
        elif kind == "R":
            _, body = line.split("\t")
            rel, a1, a2 = body.split(" ")
            rels.append((rel, a1.removeprefix("Arg1:"), a2.removeprefix("Arg2:")))
        else:
            raise AssertionError(line)
    return {"spans": spans, "attrs": attrs, "notes": notes, "rels": rels}


def _value(text: str) -> float | None:
    return float(text) if text else None


def test_brat_gives_back_every_span_attribute_and_relation(tmp_path: Path) -> None:
    out = export(tmp_path, "brat")
    assert (out / "annotation.conf").is_file()
    n_rels = 0
    for doc in DOCS:
        text = (out / f"{doc.doc_id}.txt").read_text(encoding="utf-8")
        assert text == doc.text
        ann = read_ann(out / f"{doc.doc_id}.ann", text)

        def key(tid: str, ann: dict[str, Any] = ann) -> tuple[Any, ...]:  # a span whatever its id (may repeat)
            s, note = ann["spans"][tid], ann["notes"].get(tid)
            values = tuple(_value(v) for v in re.fullmatch(r"value=(\S*) value_max=(\S*)", note).groups()) \
                if note else ()
            return (s["start"], s["end"], s["label"], *sorted(ann["attrs"].get(tid, {}).items()), *values)

        got_spans = Counter(key(t) for t in ann["spans"])
        got_rels = Counter((rel, key(a), key(b)) for rel, a, b in ann["rels"])
        want: dict[str, tuple[Any, ...]] = {}
        for e in doc.entities:
            want[e["id"]] = (e["start"], e["end"], e["label"])
        for c in doc.claims:
            attrs = {"Unit": c["unit"], "Qualifier": c["qualifier"], "Kind": c["kind"]}
            want[c["id"]] = (c["start"], c["end"], "CLAIM", *sorted(attrs.items()), c["value"], c["value_max"])
        for s in doc.attributed:
            attrs = {"Target": s["target"], "Polarity": s["polarity"]}
            want[s["id"]] = (s["start"], s["end"], "STANCE", *sorted(attrs.items()))
        assert got_spans == Counter(want.values()), doc.doc_id
        want_rels = Counter([("claimed_by", want[c["id"]], want[c["claimant_id"]]) for c in doc.claims
                             if c["claimant_id"]] + [("holds", want[s["holder_id"]], want[s["id"]])
                                                     for s in doc.attributed if s["holder_id"]])
        assert got_rels == want_rels, doc.doc_id
        n_rels += sum(want_rels.values())
    assert n_rels > 0  # the release has relations to carry
    stance = (out / "document_stance.tsv").read_text(encoding="utf-8").splitlines()
    assert stance[1:] == [f"{d.doc_id}\t{s['target']}\t{s['label']}" for d in DOCS for s in d.stance]


# ---- CoNLL (read back by spaCy's own CoNLL-2003 NER converter) -------------------------------------------
def test_conll_read_by_spacy_gives_the_release_entities(tmp_path: Path) -> None:
    from spacy.training.converters import conll_ner_to_docs

    out = export(tmp_path, "conll")
    text = (out / "ner.conll").read_text(encoding="utf-8")
    assert text.count("-DOCSTART-") == len({s.doc_id for s in SENTENCES}) == len(DOCS)
    docs = list(conll_ner_to_docs(text, n_sents=0, no_print=True))
    assert len(docs) == len(DOCS)
    for doc, got in zip(DOCS, docs, strict=True):
        sents = [s for s in SENTENCES if s.doc_id == doc.doc_id]
        assert [t.text for t in got] == [t for s in sents for t in s.tokens]
        starts = [a for s in sents for a in s.starts]
        ends = [b for s in sents for b in s.ends]
        spans = sorted((starts[e.start], ends[e.end - 1], e.label_) for e in got.ents)
        assert spans == sorted((e["start"], e["end"], e["label"]) for e in doc.entities), doc.doc_id


# ---- spaCy DocBin -------------------------------------------------------------------------------------------
def test_docbin_read_by_spacy_gives_the_release_layers(tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    out = export(tmp_path, "spacy")
    docs = list(DocBin().from_disk(out / "corpus.spacy").get_docs(spacy.blank("en").vocab))
    assert [d.user_data["doc_id"] for d in docs] == [d.doc_id for d in DOCS]
    for want, got in zip(DOCS, docs, strict=True):
        assert got.text == want.text
        assert [(e.start_char, e.end_char, e.label_, e.id_) for e in got.ents] == \
            [(e["start"], e["end"], e["label"], e["id"]) for e in want.entities]
        assert [(s.start_char, s.end_char, s.label_, s.id_) for s in got.spans["claims"]] == \
            [(c["start"], c["end"], "CLAIM", c["id"]) for c in want.claims]
        assert [(s.start_char, s.end_char, s.label_, s.id_) for s in got.spans["stance"]] == \
            [(s["start"], s["end"], "STANCE", s["id"]) for s in want.attributed]
        assert got.user_data["claims"] == {c["id"]: {k: c[k] for k in ("value", "value_max", "unit", "qualifier",
                                                                        "kind", "claimant", "claimant_id")}
                                           for c in want.claims}
        assert got.user_data["stance"] == {s["id"]: {k: s[k] for k in ("target", "polarity", "holder", "holder_id")}
                                           for s in want.attributed}
        assert got.user_data["document_stance"] == {s["target"]: s["label"] for s in want.stance}


def test_spacy_is_needed_only_for_the_spacy_format(tmp_path: Path) -> None:
    """Without spaCy importable: brat works, spacy is a usage error naming the extra (no traceback)."""
    script = ("import sys; sys.modules['spacy'] = None; from corpus.cli import main; sys.argv = ['corpus'] + "
              "sys.argv[1:]; main()")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script, "export", str(RELEASE), *args], capture_output=True,
                              text=True, cwd=ROOT)

    done = cli("--format", "spacy", "--out", str(tmp_path / "s"))
    assert done.returncode == 2 and "corpus[ner]" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "s").exists()
    assert cli("--format", "brat", "--out", str(tmp_path / "b")).returncode == 0


# ---- folders ---------------------------------------------------------------------------------------------
def test_a_text_free_twin_is_refused_with_how_to_rehydrate(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", str(TWIN), "--format", "brat", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "needs the texts" in result.output and "corpus rehydrate" in result.output
    assert not (tmp_path / "x").exists()


def test_a_rehydrated_folder_exports_like_the_release(tmp_path: Path) -> None:
    copies = tmp_path / "copies"
    copies.mkdir()
    for seed in seed_paths(ROOT):
        shutil.copyfile(seed, copies / seed.name)
    assert rehydrate(TWIN, copies, tmp_path / "full").complete
    a, b = export(tmp_path, "brat"), export(tmp_path, "brat", tmp_path / "full", "brat-rehydrated")
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    for path in a.iterdir():
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name


@pytest.mark.parametrize("fmt", ["brat", "nope"])
def test_unsafe_outputs_and_bad_formats_are_usage_errors(tmp_path: Path, fmt: str) -> None:
    out = RELEASE / "brat" if fmt == "brat" else tmp_path / "n"
    result = CliRunner().invoke(app, ["export", str(RELEASE), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()
