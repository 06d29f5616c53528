"""`corpus rehydrate`: a text-free release + the user's own copies of the articles -> a full local release folder.

Each copy (`<doc_id>.txt`, or `<doc_id>.html` whose article text trafilatura extracts) is cleaned by the release's
own rules. When the clean text hashes to the release's `clean_sha256` the spans stay where they are (`exact`);
otherwise every span is re-anchored by corpus.release.align (`realigned`) and one that cannot be placed is
reported, never guessed. Nothing is written unless everything is placed, or `--allow-partial` is given.

The text-free folder is verified first (checksums, manifest, schemas, the documents' consistency, and the full
release's card kept under full/ against the twin's facts): a tampered or damaged twin is refused, exit 1, naming
its files. What is written states what it holds (corpus.release.restate): counts from the rows written, and a
partial rehydration says so in the manifest, card, DATASHEET.md, croissant.json and rehydration.json alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import typer

from corpus.core import outputs, repolock
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import atomic_write_bytes, dump_json, repo_root, sha256_bytes, sha256_file
from corpus.core.models import Document, EntityMention, ReleaseManifest
from corpus.ingest.clean import RuleBook, clean_bytes, corpus_rules_file, rules_with
from corpus.release import restate
from corpus.release.align import Anchor, Placed, realign
from corpus.release.build import manifest_counts
from corpus.release.consistency import card_facts
from corpus.release.extract import html_to_text
from corpus.release.layout import CLEANING_RULES, parquet_path
from corpus.release.nerview import bio_sentences
from corpus.release.standoff import (
    FULL_DOCS,
    KEPT,
    SPAN_LAYERS,
    dataset_info,
    finish_folder,
    join_card,
    read_manifest,
    read_rows,
    released_features,
    source_from_row,
    split_card,
    update_croissant,
    write_tables,
)
from corpus.release.verify import verify_folder

REPORT = "rehydration.json"
Mapping_ = dict[tuple[int, int], Placed | str]


@dataclass
class DocResult:
    """One document: its cleaned copy (None when missing), how it was placed, and where each span went."""

    doc_id: str
    status: str  # exact / realigned / missing
    copy: Document | None = None
    copy_file: str = ""
    places: Mapping_ = field(default_factory=dict)
    layers: dict[str, dict[str, Any]] = field(default_factory=dict)


def find_copy(texts: Path, doc_id: str) -> Path | None:
    for suffix in (".txt", ".html"):
        path = texts / f"{doc_id}{suffix}"
        if path.is_file():
            return path
    return None


@dataclass(frozen=True)
class Rules:
    """The cleaning rules a copy is cleaned by, and where they came from (stated in rehydration.json)."""

    book: RuleBook
    origin: str  # release / option / corpus / package
    sha256: str | None


def release_rules(standoff: Path, given: Path | None) -> Rules:
    """The release's own cleaning rules when it ships them (releases after 1.2.0); else `--rules`; else the corpus
    repository's when the command runs in one; else the package's generic rules alone."""
    shipped = standoff / CLEANING_RULES
    if shipped.is_file():
        if given is not None and (not given.is_file() or given.read_bytes() != shipped.read_bytes()):
            raise UserError(f"{standoff} ships its own cleaning rules ({CLEANING_RULES}); --rules is only for a "
                            "release made before releases shipped them")
        return Rules(rules_with(shipped.resolve()), "release", sha256_file(shipped))
    if given is not None:
        if not given.is_file():
            raise UserError(f"--rules {given} is not a file")
        return Rules(rules_with(given.resolve()), "option", sha256_file(given))
    corpus = corpus_rules_file()
    if corpus is not None:
        return Rules(rules_with(corpus), "corpus", sha256_file(corpus))
    return Rules(rules_with(None), "package", None)


def clean_copy(path: Path, row: Mapping[str, Any], rules: Rules | None = None) -> Document:
    """The copy's clean text, by the release's rules (HTML: the article text trafilatura finds, title first)."""
    data = path.read_bytes()
    if path.suffix == ".html":
        data = html_to_text(data, row["title"]).encode("utf-8")
    return clean_bytes(data, row["doc_id"], source_from_row(row), path.name, language=row["language"],
                       rules=rules.book if rules is not None else None)


def _anchors(row: Mapping[str, Any]) -> list[Anchor]:
    return [Anchor(a["start"], a["end"], a["skel_start"], a["skel_len"], a["surface"], a["before"], a["after"])
            for a in row["anchors"]]


def place_document(row: Mapping[str, Any], texts: Path, rules: Rules | None = None) -> DocResult:
    """Find, clean and align one document's copy."""
    doc_id = row["doc_id"]
    path = find_copy(texts, doc_id)
    if path is None:
        return DocResult(doc_id, "missing", places={(a["start"], a["end"]): f"no {doc_id}.txt or .html in {texts}"
                                                    for a in row["anchors"]})
    try:
        copy = clean_copy(path, row, rules)
    except InvalidData as exc:
        reason = "; ".join(i.message for i in exc.issues)
        return DocResult(doc_id, "missing", copy_file=path.name,
                         places={(a["start"], a["end"]): f"{path.name}: {reason}" for a in row["anchors"]})
    if sha256_bytes(copy.text.encode("utf-8")) == row["clean_sha256"]:
        places: Mapping_ = {(a["start"], a["end"]): Placed(a["start"], a["end"]) for a in row["anchors"]}
        return DocResult(doc_id, "exact", copy, path.name, places)
    pieces = [(p["hash"], p["length"]) for p in row["pieces"]]
    return DocResult(doc_id, "realigned", copy, path.name, realign(_anchors(row), pieces, copy.text))


# ---- rebuilding the full rows ---------------------------------------------------------------------------------
def _moved(spans: list[dict[str, Any]], result: DocResult, layer: str, sort_key: tuple[str, ...]) -> \
        list[dict[str, Any]]:
    """Spans at their new place with their new surface; unplaced ones dropped and counted in the report."""
    assert result.copy is not None
    text = result.copy.text
    stats = result.layers.setdefault(layer, {"spans_total": 0, "spans_placed": 0, "unplaced": []})
    out = []
    for span in spans:
        stats["spans_total"] += 1
        where = result.places.get((span["start"], span["end"]), "no anchor for this span")
        if isinstance(where, str):
            stats["unplaced"].append({"doc_id": result.doc_id, "layer": layer, "id": span["id"],
                                      "surface": span.get("text"), "reason": where})
            continue
        stats["spans_placed"] += 1
        out.append({**span, "start": where.start, "end": where.end, "text": text[where.start:where.end]})
    return sorted(out, key=itemgetter(*sort_key))


def _count_missing(spans: list[dict[str, Any]], result: DocResult, layer: str) -> None:
    stats = result.layers.setdefault(layer, {"spans_total": 0, "spans_placed": 0, "unplaced": []})
    for span in spans:
        stats["spans_total"] += 1
        stats["unplaced"].append({"doc_id": result.doc_id, "layer": layer, "id": span["id"],
                                  "surface": span.get("text"), "reason": result.places.get(
                                      (span["start"], span["end"]), "document missing")})


SORT_KEYS = {"entities": ("start", "end", "label", "id"), "claims": ("start", "end", "id"),
             "attributed": ("start", "end", "id")}


def _layers(row: Mapping[str, Any], result: DocResult, prefix: str) -> dict[str, list[dict[str, Any]]]:
    """A row's span layers on the copy, claimant and holder names following their entities."""
    layers = {layer: _moved(row[layer], result, prefix + layer, SORT_KEYS[layer]) for layer in SPAN_LAYERS}
    names = {e["id"]: e["text"] for e in layers["entities"]}
    for claim in layers["claims"]:
        if claim["claimant_id"] in names:
            claim["claimant"] = names[claim["claimant_id"]]
    for ev in layers["attributed"]:
        if ev["holder_id"] in names:
            ev["holder"] = names[ev["holder_id"]]
    return layers


def ner_rows(doc_id: str, text: str, entities: list[dict[str, Any]], released: list[dict[str, Any]],
             status: str) -> list[dict[str, Any]]:
    """The NER sentences: on an exact copy the released token offsets give the tokens back; otherwise the build's
    own tokenisation runs on the copy."""
    if status == "exact":
        return [{**row, "tokens": [text[a:b] for a, b in zip(row["token_starts"], row["token_ends"], strict=True)]}
                for row in released]
    # model_construct: these spans were validated when the release was built; only offsets and labels are read
    mentions = [EntityMention.model_construct(id=e["id"], start=e["start"], end=e["end"], text=e["text"],
                                              label=tx.ENTITY_LABELS[e["label"]]) for e in entities]
    return [{"doc_id": doc_id, "sentence_id": number, "tokens": sentence.tokens,
             "ner_tags": [tx.NER_TAGS.index(t) for t in sentence.tags],
             "token_starts": sentence.starts, "token_ends": sentence.ends}
            for number, sentence in enumerate(bio_sentences(text, mentions))]


TWIN_ONLY = ("clean_sha256", "pieces", "anchors")  # the twin's alignment columns, not the release's


def full_rows(rows: Mapping[str, list[dict[str, Any]]], results: Mapping[str, DocResult]) -> \
        dict[str, list[dict[str, Any]]]:
    """The full release's rows, in the build's order, from the text-free rows and the placed copies."""
    out: dict[str, list[dict[str, Any]]] = {c: [] for c in rows}
    ner: dict[str, list[dict[str, Any]]] = {}
    for sentence in rows["ner"]:
        ner.setdefault(sentence["doc_id"], []).append(sentence)
    for row in rows["documents"]:
        result = results[row["doc_id"]]
        if result.copy is None:
            for layer in SPAN_LAYERS:
                _count_missing(row[layer], result, layer)
            continue
        copy = result.copy
        layers = _layers(row, result, "")
        src = row["source"]
        doc_id = row["doc_id"]
        out["documents"].append({
            **{k: v for k, v in row.items() if k not in TWIN_ONLY},  # columns a later release added pass through
            "doc_id": doc_id, "title": row["title"], "subtitle": copy.subtitle, "text": copy.text,
            "language": row["language"],
            "source": {k: src[k] for k in ("outlet", "url", "date", "license_note")},
            "raw_sha256": copy.raw_sha256, "removed_spans": len(copy.removed), **layers,
            "stance": row["stance"], "annotators": row["annotators"], "guidelines_version": row["guidelines_version"],
        })
        out["entities"].extend({"doc_id": doc_id, **e} for e in layers["entities"])
        out["claims"].extend({"doc_id": doc_id, **c} for c in layers["claims"])
        out["stance"].extend({"doc_id": doc_id, **s} for s in row["stance"])
        out["ner"].extend(ner_rows(doc_id, copy.text, layers["entities"], ner.get(doc_id, []), result.status))
    for row in rows["annotators"]:
        result = results[row["doc_id"]]
        if result.copy is None:
            for layer in SPAN_LAYERS:
                _count_missing(row[layer], result, "annotators." + layer)
            continue
        out["annotators"].append({**row, **_layers(row, result, "annotators.")})
    return out


# ---- the command ------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    out: Path | None
    report: dict[str, Any]
    complete: bool

    def summary(self) -> str:
        statuses = Counter(d["status"] for d in self.report["documents"].values())
        docs = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        return f"rehydrated {len(self.report['documents'])} documents ({docs}); {self.report['rehydration']}"


def _spans(documents: Mapping[str, Any]) -> tuple[int, int]:
    total = placed = 0
    for doc in documents.values():
        for stats in doc["layers"].values():
            total += stats["spans_total"]
            placed += stats["spans_placed"]
    return placed, total


def describe(documents: Mapping[str, Any]) -> tuple[bool, str]:
    """(complete, the one-line statement the report, manifest, card and croissant all carry)."""
    statuses = Counter(d["status"] for d in documents.values())
    placed, total = _spans(documents)
    written = len(documents) - statuses["missing"]
    complete = written == len(documents) and placed == total
    if complete:
        realigned = statuses["realigned"]
        how = f"{realigned} of {len(documents)} realigned on differing copies" if realigned else "all exact copies"
        return True, f"complete: {len(documents)} of {len(documents)} documents, {placed} of {total} spans ({how})"
    return False, (f"partial: {written} of {len(documents)} documents, {placed} of {total} spans placed "
                   f"(rehydration.json lists what is missing)")


def _report(results: Mapping[str, DocResult], rules: Rules) -> dict[str, Any]:
    documents = {doc_id: {"status": r.status, "copy": r.copy_file or None, "layers": r.layers}
                 for doc_id, r in sorted(results.items())}
    complete, statement = describe(documents)
    return {"complete": complete, "rehydration": statement,
            "cleaning_rules": {"from": rules.origin, "sha256": rules.sha256}, "documents": documents}


RULES_HINT = ("the release ships no cleaning rules of its own (releases up to 1.2.0) and none were given, so copies "
              "were cleaned by the package's generic rules alone: run inside the corpus repository, or pass "
              "--rules with its cleaning_rules.toml at the release's tag")


def _issues(report: Mapping[str, Any]) -> list[Issue]:
    issues = []
    if report.get("cleaning_rules", {}).get("from") == "package" and not report["complete"]:
        issues.append(Issue(CLEANING_RULES, "-", "-", "cleaning_rules", RULES_HINT, "rehydrate.rules"))
    for doc_id, doc in report["documents"].items():
        for layer, stats in doc["layers"].items():
            for span in stats["unplaced"]:
                issues.append(Issue(doc["copy"] or f"{doc_id}.txt", f"doc {doc_id}", str(span["id"]), layer,
                                    f"not placed: {span['reason']}", "rehydrate.unplaced"))
        if doc["status"] == "missing" and not any(s["unplaced"] for s in doc["layers"].values()):
            issues.append(Issue(doc["copy"] or f"{doc_id}.txt", f"doc {doc_id}", "-", "-", "no usable copy",
                                "rehydrate.missing"))
    return issues


COMMAND = "corpus rehydrate"


def rehydrate(standoff: Path, texts: Path, out: Path, allow_partial: bool = False,
              rules_file: Path | None = None) -> Outcome:
    """Rebuild a full release folder at `out` from a standoff folder and a folder of the user's copies."""
    if not standoff.is_dir():
        raise UserError(f"{standoff} is not a folder")
    if not texts.is_dir():
        raise UserError(f"--texts {texts} is not a folder")
    outputs.check_out(out, repo_root(), COMMAND, new_only=True)  # before any work; again under the lock
    manifest = read_manifest(standoff)
    if manifest.variant != "standoff":
        raise UserError(f"{standoff} is not a text-free (standoff) release folder")
    check_twin(standoff, manifest)
    rules = release_rules(standoff, rules_file)
    rows = _read_rows(standoff)
    results = {row["doc_id"]: place_document(row, texts, rules) for row in rows["documents"]}
    rebuilt = full_rows(rows, results)
    report = _report(results, rules)
    complete = not _issues(report)
    assert complete == report["complete"]
    if not complete and not allow_partial:
        raise InvalidData(_issues(report))
    with repolock.output_folder(out, COMMAND, repo_root(), new_only=True) as (_, tmp):
        atomic_write_bytes(tmp / REPORT, dump_json(report))
        if rebuilt["documents"]:
            write_full(standoff, tmp, rebuilt, manifest, complete)
    return Outcome(out, report, complete)


def check_twin(standoff: Path, manifest: ReleaseManifest) -> None:
    """The twin as released: `corpus verify`'s checks without load_dataset, and the full release's card kept under
    full/ stating the twin's facts (a hand-edited full/README.md with recomputed sums is refused)."""
    issues = verify_folder(standoff, load=False)
    card = standoff / FULL_DOCS / "README.md"
    if not issues and manifest.facts:
        try:
            stated = card_facts(card.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidData([Issue(str(card), "-", "-", "-", f"unreadable: {exc}", "rehydrate.twin")]) from None
        for key, want in sorted(manifest.facts.items()):
            if stated.get(key) != want:
                issues.append(Issue(str(card), "-", "-", key, f"says {stated.get(key)!r} but the twin's manifest "
                                    f"says {want!r}", "rehydrate.twin"))
    if issues:
        raise InvalidData([i if i.file.startswith(str(standoff)) else
                           Issue(f"{standoff}/{i.file}", i.where, i.region, i.field, i.message, i.rule)
                           for i in issues])


def _read_rows(standoff: Path) -> dict[str, list[dict[str, Any]]]:
    """The twin's rows (entities, claims, stance: from documents); a file Arrow cannot decode is named."""
    try:
        return read_rows(standoff, ("documents", "ner", "annotators"))
    except (OSError, pa.ArrowException) as exc:
        damaged = [parquet_path(c) for c in ("documents", "ner", "annotators") if not _readable(standoff, c)]
        raise InvalidData([Issue(f"{standoff}/{name}", "-", "-", "-", f"cannot be read ({exc})", "parquet.unreadable")
                           for name in damaged or ["(a Parquet file)"]]) from None


def _readable(standoff: Path, config: str) -> bool:
    try:
        read_rows(standoff, (config,))
    except (OSError, pa.ArrowException):
        return False
    return True


def write_full(standoff: Path, out: Path, rows: Mapping[str, list[dict[str, Any]]], manifest: ReleaseManifest,
               complete: bool) -> None:
    """The full folder: Parquet from the rows, the release's own documentation (card and croissant.json kept by the
    standoff under full/), updated only where the data differs from the release (realigned or partial copies)."""
    card = (standoff / FULL_DOCS / "README.md").read_bytes()
    features, tables, sizes = write_tables(out, rows, released_features(card.decode("utf-8")))
    for path in sorted(standoff.iterdir()):
        if path.is_file() and path.name not in KEPT:
            atomic_write_bytes(out / path.name, path.read_bytes())
    croissant = (standoff / FULL_DOCS / "croissant.json").read_bytes()
    released = {d["contentUrl"]: d["sha256"] for d in orjson.loads(croissant)["distribution"]}
    same = released == {parquet_path(c): sha256_file(out / parquet_path(c)) for c in features}
    full = manifest.model_copy(update={"variant": "full"})
    if not same:  # realigned or partial: every count and fact restated from what was written
        complete_, statement = describe(orjson.loads((out / REPORT).read_bytes())["documents"])
        assert complete_ == complete
        full = restate.restate_manifest(full, manifest_counts(rows), len(rows["documents"]), statement)
        old, new = manifest.facts, full.facts
        meta, body = split_card(card.decode("utf-8"))
        if not complete:
            body = f"> **Rehydrated locally, {statement}.**\n\n" + body
        body = restate.restate_text(body, old, new, manifest.counts, full.counts)
        card = join_card(dataset_info(meta, features, tables, sizes), body).encode("utf-8")
        croissant = dump_json(restate.restate_croissant(update_croissant(orjson.loads(croissant), out, features, {}),
                                                        old, new))
        sheet = out / "DATASHEET.md"
        if sheet.is_file():
            text = restate.restate_text(sheet.read_text(encoding="utf-8"), old, new, manifest.counts, full.counts)
            atomic_write_bytes(sheet, text.encode("utf-8"))
    atomic_write_bytes(out / "README.md", card)
    atomic_write_bytes(out / "croissant.json", croissant)
    finish_folder(out, full)


def cli_rehydrate(standoff: Path, texts: Path, out: Path, allow_partial: bool, rules: Path | None = None) -> None:
    outcome = rehydrate(standoff, texts, out, allow_partial, rules)
    typer.echo(outcome.summary() + (f"; report in {out / REPORT}" if not outcome.complete else "") + f" -> {out}")
