"""What the release documents say about how the data was made, in words, from the provenance record.

The card, croissant.json, manifest.json and DATASHEET.md all take these sentences and figures from here: the
provenance record (annotations/provenance.json), the agreement report, the suggestion bias computed from the
exports and the gold. Nothing is typed in twice, so the documents cannot contradict each other; `facts` gives
the comparable values each document must show (checked by `corpus verify`, see release/consistency.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from corpus.core.models import NOT_RECORDED, Agent, Provenance
from corpus.gold.provenance import KIND_WORDS
from corpus.release.layout import annotator_alias

NO_RECORD = "not recorded (the build had no provenance record)"
SPAN_LAYERS = ("entities", "claims", "attributed")
FIELD_LAYERS = ("claims", "attributed")
STANCE_MEASURES = ("cohen_kappa", "krippendorff_alpha", "percent_agreement")


@dataclass(frozen=True)
class ReleaseContext:
    """Everything the documents render provenance from (all optional: a dev build may lack some)."""

    record: Provenance | None = None
    agreement: Mapping[str, Any] | None = None
    bias: Mapping[str, Any] | None = None
    guidelines_version: str | None = None  # the newest version the gold was adjudicated under
    guidelines_by_doc: Mapping[str, str | None] = field(default_factory=dict)
    released: str | None = None
    left_out: Mapping[str, str] = field(default_factory=dict)  # doc_id -> why it is not in this build


# ---- who made the annotations ---------------------------------------------------------------------------
def agent_words(agent: Agent) -> str:
    """'AI agent (model not recorded)', 'AI agent (Claude ...)', 'human annotator ...'."""
    words = KIND_WORDS[agent.kind]
    return f"{words}, model {agent.model}" if agent.model == NOT_RECORDED else (
        f"{words}, model: {agent.model}" if agent.kind == "ai_agent" else words)


def annotator_kinds(record: Provenance | None) -> str:
    """The kinds of annotator of the passes, one comparable string (a `facts` value)."""
    if record is None:
        return NO_RECORD
    kinds = sorted({agent_words(p.agent) for p in record.annotation_passes})
    return "; ".join(kinds)


def adjudicator_kinds(record: Provenance | None) -> str:
    if record is None:
        return NO_RECORD
    return "; ".join(f"{a.id}: {agent_words(a.agent)} (guidelines {a.guidelines_version})"
                     for a in record.adjudicators)


def independent_humans(record: Provenance | None) -> bool:
    """True only when every pass is a human who saw neither suggestions nor the other passes."""
    return record is not None and all(p.agent.kind == "human" and not p.suggestions_shown and not p.saw_other_passes
                                      for p in record.annotation_passes)


def collection(record: Provenance | None) -> str:
    return record.collection if record is not None else f"How the texts were collected is {NO_RECORD}."


def protocol(ctx: ReleaseContext) -> str:
    """The annotation protocol in plain words: passes, suggestions, tool, guidelines, adjudication."""
    record = ctx.record
    if record is None:
        return f"How the annotations were made is {NO_RECORD}."
    sentences = []
    for p in record.annotation_passes:
        shown = (f"with machine suggestions available ({', '.join(p.suggestion_model_versions)})"
                 if p.suggestions_shown else "without machine suggestions")
        seen = "could see" if p.saw_other_passes else "could not see"
        sentences.append(f"Account `{annotator_alias(p.annotator)}`: {agent_words(p.agent)}, {p.tool} "
                         f"{p.tool_version} through the {p.access.removeprefix(p.tool + ' ')}, {shown}, "
                         f"guidelines {p.guidelines_version}, {p.date}; it {seen} the other passes.")
    for a in record.adjudicators:
        sentences.append(f"Adjudication `{a.id}` ({a.date}, guidelines {a.guidelines_version}) by "
                         f"{agent_words(a.agent)}. Scope: {a.scope}")
    sentences.append("Disagreements and review findings are recorded decisions with reasons "
                     "(annotations/adjudication.json); the gold is derived from the exports and those decisions "
                     f"by code. Guidelines version of the gold: {ctx.guidelines_version or NOT_RECORDED}.")
    return " ".join(sentences)


def demographics(record: Provenance | None) -> str:
    if record is None:
        return f"Annotator demographics: {NO_RECORD}."
    agents = [p.agent for p in record.annotation_passes] + [a.agent for a in record.adjudicators]
    if all(a.kind == "ai_agent" for a in agents):
        return ("Not applicable: every annotation pass and every adjudication was made by an AI agent, which has "
                "no demographics.")
    return ("Not recorded: no demographic information about the human annotators was collected. "
            "Not applicable to the passes made by AI agents.")


def warning(ctx: ReleaseContext) -> str | None:
    """The 'not independent humans' warning, or None when the passes are independent humans."""
    record = ctx.record
    if independent_humans(record):
        return None
    if record is None:
        return (f"How the annotation passes were made is {NO_RECORD}: do not read the agreement below as "
                "agreement between independent human annotators.")
    who = annotator_kinds(record)
    shown = any(p.suggestions_shown for p in record.annotation_passes)
    return (f"**These are not independent human annotators.** The {len(record.annotation_passes)} passes were "
            f"made by: {who}"
            + (", each starting from the same machine suggestions" if shown else "")
            + ". Their agreement measures how consistently such runs label the same texts, not how hard the task "
            "is for people, and it is inflated by suggestions both kept unchanged (suggestion bias below).")


# ---- agreement figures ----------------------------------------------------------------------------------
def _pairs(report: Mapping[str, Any] | None) -> list[tuple[str, Mapping[str, Any]]]:
    """(prefix, pair): no prefix for a single pair, 'a~b ' (pseudonyms) for several."""
    pairs = [p for p in (report or {}).get("pairs") or [] if isinstance(p, Mapping)]
    if len(pairs) == 1:
        return [("", pairs[0])]
    return [(f"{annotator_alias(str(p.get('a')))}~{annotator_alias(str(p.get('b')))} ", p) for p in pairs]


def span_rows(report: Mapping[str, Any] | None) -> list[tuple[str, str, float | None, float | None]]:
    """(layer, label, strict F1, partial F1) for every layer and label, 'overall' first."""
    rows = []
    for prefix, pair in _pairs(report):
        for layer in SPAN_LAYERS:
            modes = pair.get(layer) or {}
            labels = sorted(set(modes.get("strict") or {}) | set(modes.get("partial") or {}),
                            key=lambda lab: (lab != "overall", lab))
            for label in labels:
                strict = ((modes.get("strict") or {}).get(label) or {}).get("f1")
                partial = ((modes.get("partial") or {}).get(label) or {}).get("f1")
                rows.append((f"{prefix}{layer}", label, strict, partial))
    return rows


def stance_rows(report: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    """(pair, measure, value) for the document-stance coefficients and per-target agreement."""
    rows = []
    for prefix, pair in _pairs(report):
        stance = pair.get("stance") or {}
        for measure in STANCE_MEASURES:
            rows.append((prefix.strip(), measure, fmt(stance.get(measure))))
        for target, cell in sorted((stance.get("per_target") or {}).items()):
            rows.append((prefix.strip(), f"agreement on {target}", f"{cell.get('agree')}/{cell.get('of')}"))
    return rows


def field_rows(report: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    """(layer, field, 'agree/of (rate)') on strictly matched claims and stance spans."""
    rows = []
    for prefix, pair in _pairs(report):
        for layer in FIELD_LAYERS:
            for name, cell in sorted(((pair.get(layer) or {}).get("fields_on_strict_matches") or {}).items()):
                rate = fmt(cell.get("rate"))
                rows.append((f"{prefix}{layer}", name, f"{cell.get('agree')}/{cell.get('of')} ({rate})"))
    return rows


def fmt(value: Any) -> str:
    """Figures with 4 decimals; an undefined coefficient says so."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "undefined"
    return f"{float(value):.4f}"


def headline_figures(report: Mapping[str, Any] | None) -> dict[str, str]:
    """The manifest's headline names -> the figure as every document prints it (comparable strings)."""
    out: dict[str, str] = {}
    for prefix, pair in _pairs(report):
        key = prefix.strip().replace(" ", "") + ("." if prefix else "")
        for layer in SPAN_LAYERS:
            for mode in ("strict", "partial"):
                overall = ((pair.get(layer) or {}).get(mode) or {}).get("overall") or {}
                spans = sum(int(overall.get(k) or 0) for k in ("tp", "fp", "fn"))
                if isinstance(overall.get("f1"), int | float) and spans:
                    out[f"{key}{layer}.{mode}_f1"] = fmt(overall["f1"])
        for measure in STANCE_MEASURES:
            value = (pair.get("stance") or {}).get(measure)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[f"{key}stance.{measure}"] = fmt(value)
    return out


def agreement_markdown(ctx: ReleaseContext) -> list[str]:
    """The agreement section's body: what it measures, the warning, every figure, the suggestion bias."""
    report = ctx.agreement
    if not report or not _pairs(report):
        return ["Inter-annotator agreement: not computed for this build.", ""]
    lines = []
    text = warning(ctx)
    if text:
        lines += [text, ""]
    lines += [
        "What the figures measure: for entities, numeric claims and attributed-stance spans, F1 between two "
        "annotation passes: *strict* counts a span as shared when both passes have the same start, end and "
        "label; *partial* when the spans overlap with the same label. For the document stance, Cohen's kappa "
        "and Krippendorff's alpha (nominal) correct the share of identical judgements (percent agreement) for "
        "chance; they are undefined when both passes used one label only. Field agreement is counted on spans "
        "both passes made identically (strict matches). All figures are from `agreement.json` (computed by "
        "`corpus agreement` before adjudication).", "",
        "| pair / layer | label | strict F1 | partial F1 |", "|---|---|---:|---:|",
    ]
    lines += [f"| {layer} | {label} | {fmt(s)} | {fmt(p)} |" for layer, label, s, p in span_rows(report)]
    lines += ["", "| pair | document stance measure | value |", "|---|---|---:|"]
    lines += [f"| {pair or 'passes'} | {measure} | {value} |" for pair, measure, value in stance_rows(report)]
    lines += ["", "| pair / layer | field on strict matches | agree/of (rate) |", "|---|---|---:|"]
    lines += [f"| {layer} | {name} | {value} |" for layer, name, value in field_rows(report)]
    lines += ["", *bias_markdown(ctx.bias)]
    return lines


def bias_markdown(bias: Mapping[str, Any] | None) -> list[str]:
    """The suggestion-bias tables (`bias` as shipped: passes already pseudonymised by release_bias)."""
    if not bias:
        return ["Suggestion bias: not computed for this build.", ""]
    lines = ["Suggestion bias (computed from the predictions stored in the exports and the gold): per layer, the "
             "share of gold items that are machine suggestions kept unchanged.", "",
             "| layer | gold items | suggestions | unchanged suggestions in the gold | share |",
             "|---|---:|---:|---:|---:|"]
    for layer, cell in (bias.get("layers") or {}).items():
        share = fmt(cell.get("share")) if cell.get("suggested") else "no suggestions"
        lines.append(f"| {layer} | {cell.get('gold')} | {cell.get('suggested')} | "
                     f"{cell.get('unchanged_suggestions')} | {share} |")
    passes = bias.get("passes") or {}
    if passes:
        lines += ["", "| pass | layer | suggestions | kept unchanged |", "|---|---|---:|---:|"]
        for who, layers in sorted(passes.items()):
            for layer, cell in layers.items():
                lines.append(f"| `{who}` | {layer} | {cell.get('suggested')} | "
                             f"{cell.get('kept_unchanged')} |")
    return [*lines, ""]


def release_agreement(report: Mapping[str, Any] | None, bias: Mapping[str, Any] | None) -> dict[str, Any]:
    """agreement.json as shipped: the report with accounts pseudonymised, plus the suggestion bias."""
    out = dict(report or {})
    if isinstance(out.get("annotators"), list):
        out["annotators"] = [annotator_alias(str(a)) for a in out["annotators"]]
    if isinstance(out.get("pairs"), list):
        out["pairs"] = [{**p, "a": annotator_alias(str(p.get("a"))), "b": annotator_alias(str(p.get("b")))}
                        if isinstance(p, Mapping) else p for p in out["pairs"]]
    out["suggestion_bias"] = bias
    return out


def release_bias(bias: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The bias as shipped: pass accounts replaced by their pseudonyms, like everywhere in a release."""
    if not bias:
        return None
    return {**bias, "passes": {annotator_alias(k): v for k, v in (bias.get("passes") or {}).items()}}


# ---- licence and citation -------------------------------------------------------------------------------
def licence_name(record: Provenance | None) -> str:
    return record.licence.name if record is not None else "not-recorded"


def licence_id(record: Provenance | None) -> str:
    return record.licence.card_id if record is not None else "other"


def hub_url(record: Provenance | None) -> str | None:
    return f"https://huggingface.co/datasets/{record.hub_repo}" if record is not None and record.hub_repo else None


def bibtex(record: Provenance | None, name: str, title: str, version: str, released: str | None) -> str:
    """A BibTeX entry with standard @misc fields only: author (the maintainers, as an organisation), title, year,
    the version in `note` (BibTeX has no version field), the URL once published."""
    author = record.maintainers if record is not None else NOT_RECORDED
    lines = [f"@misc{{{name.replace('-', '_')}_{version.replace('.', '_').replace('-', '_')},",
             f"  author    = {{{{{author}}}}},", f"  title     = {{{{{title}}}}},"]
    if released:
        lines.append(f"  year      = {{{released[:4]}}},")
    lines.append(f"  note      = {{Version {version}{'' if released else ', unreleased build'}}},")
    url = hub_url(record)
    lines.append(f"  url       = {{{url}}}," if url else "  howpublished = {not yet published},")
    lines.append("}")
    return "\n".join(lines)


def dataset_url(record: Provenance | None) -> str | None:
    """Where the dataset lives: the Hub once published, else the source repository, else unknown (None)."""
    return hub_url(record) or (record.repository_url if record is not None else None)


# The Hub's `annotations_creators` vocabulary for each kind of agent (an AI agent's labels are machine-generated).
CREATOR_TAGS = {"human": ("expert-generated",), "human_with_suggestions": ("expert-generated", "machine-generated"),
                "ai_agent": ("machine-generated",)}


def annotations_creators(record: Provenance | None) -> list[str]:
    """The card's `annotations_creators`, from who made every pass and adjudication (['other'] unrecorded)."""
    if record is None:
        return ["other"]
    kinds = [p.agent.kind for p in record.annotation_passes] + [a.agent.kind for a in record.adjudicators]
    suggested = any(p.suggestions_shown for p in record.annotation_passes)
    tags = {t for k in kinds for t in CREATOR_TAGS[k]} | ({"machine-generated"} if suggested else set())
    return sorted(tags) or ["other"]


def guidelines_by_doc_text(ctx: ReleaseContext) -> str:
    """Which documents' gold was last adjudicated under an older guidelines version than the release's ('' when
    all agree): the card and manifest name the newest version, a document may stay at an older one."""
    newest = ctx.guidelines_version
    older = {doc: v for doc, v in sorted(ctx.guidelines_by_doc.items()) if v != newest}
    if not older:
        return ""
    listed = ", ".join(f"`{doc}` {v or NOT_RECORDED}" for doc, v in older.items())
    return (f"Guidelines version per document: {len(ctx.guidelines_by_doc) - len(older)} of "
            f"{len(ctx.guidelines_by_doc)} documents are at {newest or NOT_RECORDED}; the others keep the version "
            f"their gold was last adjudicated under ({listed}; the `documents` config's `guidelines_version` says "
            "so per row, and DATASHEET.md says why).")


# ---- comparable facts -----------------------------------------------------------------------------------
def facts(ctx: ReleaseContext, documents: int, counts: Mapping[str, int]) -> dict[str, str]:
    """The facts every document states identically: one string per name (release/consistency.py compares)."""
    out = {
        "annotator kind": annotator_kinds(ctx.record),
        "adjudicator kind": adjudicator_kinds(ctx.record),
        "licence": licence_name(ctx.record),
        "guidelines version": ctx.guidelines_version or NOT_RECORDED,
        "documents": str(documents),
    }
    out.update({f"count {k}": str(v) for k, v in sorted(counts.items())})
    out.update({f"agreement {k}": v for k, v in headline_figures(ctx.agreement).items()})
    return out


def facts_markdown(values: Mapping[str, str]) -> list[str]:
    lines = ["| fact | value |", "|---|---|"]
    lines += [f"| {k} | {v.replace('|', '/')} |" for k, v in values.items()]
    return [*lines, ""]
