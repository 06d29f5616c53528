"""BRAT standoff: `<doc_id>.txt` (the document text) and `<doc_id>.ann` per document, plus `annotation.conf`.

Entities, claims and stance evidence are text-bound annotations (T); a span crossing a line break becomes a
discontinuous one (BRAT fragments cannot hold a newline). Claims carry unit, qualifier and kind as attributes
(A) and their value and value_max as a note (#, `value=... value_max=...`); stance evidence carries its target
and polarity as attributes. Both relations are R lines: `claimed_by Arg1:<claim> Arg2:<entity>` and
`holds Arg1:<entity> Arg2:<stance span>`. Document stance has no BRAT form: it goes to `document_stance.tsv`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue
from corpus.core.io import atomic_write_bytes
from corpus.release.export.source import ExportDoc

CLAIM_ATTRS = ("unit", "qualifier", "kind")
STANCE_ATTRS = ("target", "polarity")


def attr_name(field: str) -> str:
    return field.capitalize()


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of text[start:end] between line breaks (BRAT's discontinuous spans)."""
    out, pos = [], start
    for i in range(start, end):
        if text[i] == "\n":
            if i > pos:
                out.append((pos, i))
            pos = i + 1
    if end > pos:
        out.append((pos, end))
    return out or [(start, end)]


def fmt_value(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def ann_lines(doc: ExportDoc) -> list[str]:
    """The .ann lines of one document: T, then A and #, then R (ids T1.., A1.., #1.., R1..)."""
    lines: list[str] = []
    tid: dict[str, str] = {}
    n_attr = 0

    def span(region: dict[str, Any], label: str) -> str:
        t = f"T{len(tid) + 1}"
        tid[region["id"]] = t
        pieces = fragments(doc.text, region["start"], region["end"])
        where = ";".join(f"{a} {b}" for a, b in pieces)
        lines.append(f"{t}\t{label} {where}\t{' '.join(doc.text[a:b] for a, b in pieces)}")
        return t

    def attr(t: str, name: str, value: str | None) -> None:
        nonlocal n_attr
        if value is not None:
            n_attr += 1
            lines.append(f"A{n_attr}\t{attr_name(name)} {t} {value}")

    for ent in doc.entities:
        span(ent, ent["label"])
    for n_note, claim in enumerate(doc.claims, 1):
        t = span(claim, tx.CLAIM_LABEL)
        for name in CLAIM_ATTRS:
            attr(t, name, claim[name])
        lines.append(f"#{n_note}\tAnnotatorNotes {t}\tvalue={fmt_value(claim['value'])} "
                     f"value_max={fmt_value(claim['value_max'])}")
    for stance in doc.attributed:
        t = span(stance, tx.STANCE_SPAN_LABEL)
        for name in STANCE_ATTRS:
            attr(t, name, stance[name])
    relations = [("claimed_by", c["id"], c["claimant_id"], "claimant_id") for c in doc.claims if c["claimant_id"]]
    relations += [("holds", s["holder_id"], s["id"], "holder_id") for s in doc.attributed if s["holder_id"]]
    for n, (name, arg1, arg2, field) in enumerate(relations, 1):
        if arg1 not in tid or arg2 not in tid:
            raise InvalidData([Issue("documents", f"doc {doc.doc_id}", arg2 if name == "holds" else arg1, field,
                                     "the relation points to a region that is not in the document",
                                     "export.dangling-relation")])
        lines.append(f"R{n}\t{name} Arg1:{tid[arg1]} Arg2:{tid[arg2]}")
    return lines


def annotation_conf(entity_labels: Iterable[str]) -> str:
    """BRAT's annotation.conf for this taxonomy (every value a release can hold)."""
    entities = list(entity_labels)
    attrs = [(tx.CLAIM_LABEL, "unit", tx.UNIT_NAMES), (tx.CLAIM_LABEL, "qualifier", tx.QUALIFIER_NAMES),
             (tx.CLAIM_LABEL, "kind", tx.CLAIM_KIND_NAMES),
             (tx.STANCE_SPAN_LABEL, "target", tx.STANCE_TARGET_NAMES),
             (tx.STANCE_SPAN_LABEL, "polarity", tx.POLARITY_NAMES)]
    return "\n".join([
        "[entities]", *entities, tx.CLAIM_LABEL, tx.STANCE_SPAN_LABEL, "",
        "[relations]",
        f"claimed_by\tArg1:{tx.CLAIM_LABEL}, Arg2:{'|'.join(entities)}",
        f"holds\tArg1:{'|'.join(entities)}, Arg2:{tx.STANCE_SPAN_LABEL}",
        "<OVERLAP>\tArg1:<ANY>, Arg2:<ANY>, <OVL-TYPE>:<ANY>", "",
        "[events]", "",
        "[attributes]",
        *(f"{attr_name(name)}\tArg:{label}, Value:{'|'.join(values)}" for label, name, values in attrs), "",
    ])


def write_brat(docs: list[ExportDoc], out: Path) -> list[str]:
    """Write the BRAT collection into `out`; the file names written."""
    written = []
    for doc in docs:
        atomic_write_bytes(out / f"{doc.doc_id}.txt", doc.text.encode("utf-8"))
        atomic_write_bytes(out / f"{doc.doc_id}.ann", "".join(f"{line}\n" for line in ann_lines(doc)).encode())
        written += [f"{doc.doc_id}.txt", f"{doc.doc_id}.ann"]
    atomic_write_bytes(out / "annotation.conf", annotation_conf(tx.ENTITY_LABELS).encode("utf-8"))
    rows = ["doc_id\ttarget\tlabel", *(f"{d.doc_id}\t{s['target']}\t{s['label']}" for d in docs for s in d.stance)]
    atomic_write_bytes(out / "document_stance.tsv", "".join(f"{r}\n" for r in rows).encode("utf-8"))
    return [*written, "annotation.conf", "document_stance.tsv"]
