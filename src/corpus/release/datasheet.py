"""The generated statistics of DATASHEET.md: only the text between the markers is ever rewritten.

The rest of the datasheet is written by hand; generating the numbers from the released files keeps them from
drifting away from what users download.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from corpus.core import taxonomy as tx
from corpus.core.errors import UserError
from corpus.core.io import atomic_write_text
from corpus.core.migrations import history
from corpus.release import provenance_text as pt
from corpus.release.provenance_text import ReleaseContext
from corpus.release.summary import ReleaseSummary

START = "<!-- generated:stats:start -->"
END = "<!-- generated:stats:end -->"
PROV_START = "<!-- generated:provenance:start -->"
PROV_END = "<!-- generated:provenance:end -->"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table; columns holding only numbers are right-aligned."""
    numeric = [bool(rows) and all(row[i].isdigit() for row in rows) for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def render_stats(summary: ReleaseSummary) -> str:
    """Markdown statistics of one release (no markers)."""
    docs = summary.documents.values()
    languages = Counter(d.language for d in docs)
    lang_text = ", ".join(f"{lang} {n}" for lang, n in sorted(languages.items()))
    counts = summary.label_counts()
    lines = [f"Release **{summary.version}** ({summary.released or 'unreleased'}), computed from "
             f"`build/{summary.version}/` by `corpus release`.", ""]
    if history():  # only when the taxonomy changed, so older releases render as they were
        lines += [f"Taxonomy version {tx.TAXONOMY_VERSION}; migrations the annotations went through: "
                  + "; ".join(history()) + ".", ""]
    lines += _table(["Measure", "Value"], [
        ["Documents", f"{len(summary.documents)} ({lang_text})"],
        ["Sentences (NER view)", str(summary.sentences)],
        ["Tokens (NER view)", str(summary.tokens)],
        ["Entity mentions", str(summary.layer_total("entities"))],
        ["Numeric claims", str(summary.layer_total("claims"))],
        ["Attributed stance spans", str(summary.layer_total("attributed"))],
        ["Document stance judgements", str(summary.layer_total("stance"))],
    ])
    if summary.left_out:
        lines += [f"Left out of this release ({len(summary.left_out)} document(s) whose gold is not complete): "
                  + "; ".join(f"`{d}` ({why})" for d, why in sorted(summary.left_out.items())) + ".", ""]
    lines += ["Entity mentions by label:", ""]
    lines += _table(["Label", "Mentions"], [[label, str(counts.get(("entities", label), 0))]
                                             for label in tx.ENTITY_LABELS])
    lines += ["Numeric claims by kind:", ""]
    lines += _table(["Kind", "Claims"], [[kind, str(counts.get(("claims", kind), 0))]
                                         for kind in tx.CLAIM_KIND_NAMES])
    lines += ["Document stance (documents per target and label):", ""]
    lines += _table(["Target", *tx.STANCE_LABEL_NAMES], [
        [target, *(str(counts.get(("stance", f"{target}.{label}"), 0)) for label in tx.STANCE_LABEL_NAMES)]
        for target in tx.STANCE_TARGET_NAMES])
    lines += ["Attributed stance spans by polarity: " + ", ".join(
        f"{p} {counts.get(('attributed', p), 0)}" for p in tx.POLARITY_NAMES) + ".", ""]
    lines += ["Per document:", ""]
    lines += _table(["Document", "Language", "Outlet", "Characters", "Entities", "Claims", "Attributed"], [
        [f"`{d.doc_id}`", d.language, d.outlet or "unknown", str(d.chars), str(d.entities), str(d.claims),
         str(d.attributed)] for d in docs])
    if summary.agreement:
        lines += ["Inter-annotator agreement (from `annotations/agreement.json`, before adjudication):", ""]
        lines += _table(["Measure", "Value"], [[k, f"{v:.4f}"] for k, v in sorted(summary.agreement.items())])
    else:
        lines += ["Inter-annotator agreement: not recorded for this release.", ""]
    return "\n".join(lines).rstrip("\n")


def update_text(text: str, stats: str, name: str = "DATASHEET.md", start: str = START, end: str = END) -> str:
    """Replace what lies between the markers; refuse when they are missing, repeated or out of order."""
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise UserError(f"{name}: needs exactly one {start} followed by one {end}")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return f"{head}{start}\n{stats.strip()}\n{end}{tail}"


# A datasheet for a repository without one: the generated parts only, said to be so.
MINIMAL = (f"# Datasheet\n\nOnly the generated parts: the repository has no DATASHEET.md.\n\n## How the data was "
           f"made (generated)\n\n{PROV_START}\n{PROV_END}\n\n## Statistics (generated)\n\n{START}\n{END}\n")


def render_provenance(ctx: ReleaseContext, facts: Mapping[str, str]) -> str:
    """The datasheet's generated provenance part: facts, protocol, demographics, agreement, bias, licence."""
    record = ctx.record
    lines = ["Generated by `corpus build` from `annotations/provenance.json`, the agreement report and the data; "
             "edit those, never this part.", "", "### Facts", ""]
    lines += pt.facts_markdown(facts)
    lines += ["### Collection", "", pt.collection(record), "",
              "### Annotation", "", pt.protocol(ctx), "",
              "Per-document guidelines version of the gold: " + (", ".join(
                  f"`{doc}` {v or 'not recorded'}" for doc, v in sorted(ctx.guidelines_by_doc.items())) or
                  "not recorded") + ".", "",
              "Annotator demographics: " + pt.demographics(record), "",
              "### Agreement", ""]
    lines += pt.agreement_markdown(ctx)
    if record is not None:
        lines += ["### Licence", "", f"`{record.licence.name}`: annotations under {record.licence.annotations} "
                  f"({record.licence.annotations_url}). {record.licence.texts}", "",
                  "### Maintenance", "", record.maintenance, ""]
    return "\n".join(lines).rstrip("\n")


def render_datasheet(template: str | None, summary: ReleaseSummary, ctx: ReleaseContext,
                     facts: Mapping[str, str]) -> str:
    """DATASHEET.md as shipped in a release folder: the hand-written text with both generated parts filled."""
    text = template if template is not None else MINIMAL
    if PROV_START not in text and PROV_END not in text:  # an older datasheet: the part goes before the stats
        text = text.replace(START, f"{PROV_START}\n{PROV_END}\n\n{START}", 1)
    text = update_text(text, render_stats(summary))
    return update_text(text, render_provenance(ctx, facts), start=PROV_START, end=PROV_END)


def update_datasheet(path: Path, stats: str) -> None:
    """Rewrite the generated section in place, atomically."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    atomic_write_text(path, update_text(text, stats, str(path)))
