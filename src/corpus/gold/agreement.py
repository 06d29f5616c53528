"""Inter-annotator agreement per layer, per label and per annotator pair.

Span layers use the shared matcher in `corpus.spans` (strict and partial F1, symmetric for a pair); attributes are
compared on strictly matched spans. Document stance uses Cohen's kappa (scikit-learn) and Krippendorff's alpha (the
`krippendorff` package) over (document, target) items: maintained libraries, not hand-rolled statistics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, UserError
from corpus.core.io import repo_root, write_json
from corpus.core.models import AnnotationSet
from corpus.core.spans import MODES, PRF, match_spans, prf_corpus
from corpus.gold.adjudicate import latest_sets
from corpus.gold.snapshots import repo_current

REPORT = Path("annotations/agreement.json")
Sets = dict[str, dict[str, AnnotationSet]]  # doc_id -> annotator -> set


def _pos(span: Any) -> tuple[int, int] | None:
    return (span.start, span.end) if span is not None else None


def _claim_rows(aset: AnnotationSet) -> list[dict[str, Any]]:
    by_id = {e.id: e for e in aset.entities}
    claimant = {r.from_id: by_id.get(r.to_id) for r in aset.relations if r.type == "claimed_by"}
    return [{**c.model_dump(), "label": tx.CLAIM_LABEL, "claimant": _pos(claimant.get(c.id))} for c in aset.claims]


def _stance_rows(aset: AnnotationSet) -> list[dict[str, Any]]:
    by_id = {e.id: e for e in aset.entities}
    holder = {r.to_id: by_id.get(r.from_id) for r in aset.relations if r.type == "holds"}
    return [{**s.model_dump(), "label": tx.STANCE_SPAN_LABEL, "holder": _pos(holder.get(s.id))}
            for s in aset.attributed]


LAYERS: dict[str, Callable[[AnnotationSet], list[Any]]] = {
    "entities": lambda a: list(a.entities),
    "claims": _claim_rows,
    "attributed": _stance_rows,
}
FIELDS = {"claims": ("value", "value_max", "unit", "qualifier", "kind", "claimant"),
          "attributed": ("target", "polarity", "holder")}


def _scores(counts: dict[str, PRF]) -> dict[str, dict[str, float | int]]:
    return {label: c.as_dict() for label, c in sorted(counts.items())}


def span_agreement(pairs: Sequence[tuple[list[Any], list[Any]]], layer: str) -> dict[str, Any]:
    out: dict[str, Any] = {mode: _scores(prf_corpus(pairs, mode)) for mode in MODES if mode != "boundary"}
    if layer in FIELDS:
        agree = {f: 0 for f in FIELDS[layer]}
        matched = 0
        for a, b in pairs:
            for ai, bi in match_spans(a, b, "strict").pairs:
                matched += 1
                for f in FIELDS[layer]:
                    agree[f] += a[ai][f] == b[bi][f]
        out["fields_on_strict_matches"] = {
            f: {"agree": n, "of": matched, "rate": round(n / matched, 4) if matched else None}
            for f, n in agree.items()}
    return out


def _finite_or_none(x: float) -> float | None:
    return round(float(x), 4) if math.isfinite(x) else None


def stance_agreement(a_labels: list[str], b_labels: list[str], targets: list[str]) -> dict[str, Any]:
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    n = len(a_labels)
    same = sum(x == y for x, y in zip(a_labels, b_labels, strict=True))
    kappa = alpha = None
    if n and len(set(a_labels) | set(b_labels)) > 1:
        kappa = _finite_or_none(cohen_kappa_score(a_labels, b_labels, labels=list(tx.STANCE_LABEL_NAMES)))
        codes = {name: i for i, name in enumerate(tx.STANCE_LABEL_NAMES)}
        data = [[codes[x] for x in a_labels], [codes[y] for y in b_labels]]
        alpha = _finite_or_none(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    per_target = {}
    for target in tx.offered_targets():
        idx = [i for i, t in enumerate(targets) if t == target]
        per_target[target] = {"agree": sum(a_labels[i] == b_labels[i] for i in idx), "of": len(idx)}
    return {"items": n, "percent_agreement": round(same / n, 4) if n else None, "cohen_kappa": kappa,
            "krippendorff_alpha": alpha, "per_target": per_target,
            "note": "kappa/alpha are null when both annotators used a single label (undefined)"}


def pair_report(sets: Sets, a: str, b: str) -> dict[str, Any]:
    docs = sorted(d for d, by in sets.items() if a in by and b in by)
    report: dict[str, Any] = {"a": a, "b": b, "documents": len(docs)}
    for layer, rows in LAYERS.items():
        pairs = [(rows(sets[d][a]), rows(sets[d][b])) for d in docs]
        report[layer] = span_agreement(pairs, layer)
    a_lab, b_lab, targets = [], [], []
    asked = tx.offered_targets()
    for d in docs:
        sa = {j.target: j.label for j in sets[d][a].stance}
        sb = {j.target: j.label for j in sets[d][b].stance}
        for target in asked:
            if target in sa and target in sb:
                a_lab.append(sa[target])
                b_lab.append(sb[target])
                targets.append(target)
    report["stance"] = stance_agreement(a_lab, b_lab, targets)
    return report


def agreement_report(all_sets: Sequence[AnnotationSet]) -> dict[str, Any]:
    sets = latest_sets(all_sets)
    annotators = sorted({name for by in sets.values() for name in by})
    return {
        "annotators": annotators,
        "documents": len(sets),
        "pairs": [pair_report(sets, a, b) for a, b in combinations(annotators, 2)],
        "method": "span F1 via corpus.core.spans (strict: same offsets and label; partial: overlap and same label), "
                  "fields compared on strict matches; stance: scikit-learn cohen_kappa_score and "
                  "krippendorff.alpha (nominal) over (document, target) items",
    }


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for pair in report["pairs"]:
        table = Table(title=f"Agreement {pair['a']} vs {pair['b']} ({pair['documents']} documents)")
        for col in ("layer", "label", "strict F1", "partial F1", "n (a/b)"):
            table.add_column(col)
        for layer in LAYERS:
            strict, partial = pair[layer]["strict"], pair[layer]["partial"]
            for label in sorted(strict, key=lambda x: (x != "overall", x)):
                s = strict[label]
                table.add_row(layer, label, f"{s['f1']:.3f}", f"{partial.get(label, s)['f1']:.3f}",
                              f"{s['tp'] + s['fn']}/{s['tp'] + s['fp']}")
        console.print(table)
        for layer in FIELDS:
            fields = pair[layer].get("fields_on_strict_matches", {})
            console.print(f"{layer} fields on strict matches: " + ", ".join(
                f"{f} {v['agree']}/{v['of']}" for f, v in fields.items()))
        st = pair["stance"]
        console.print(f"document stance: {st['items']} items, agreement {st['percent_agreement']}, "
                      f"Cohen's kappa {st['cohen_kappa']}, Krippendorff's alpha {st['krippendorff_alpha']}")


def cli_agreement(as_json: bool = False) -> None:
    root = repo_root()
    current = repo_current(root, None)  # current annotations: a mistake fixed in a later pull is history
    sets, issues = current.sets, current.issues
    if issues:
        raise InvalidData(issues)
    if not sets:
        raise UserError("no annotations under annotations/; run `corpus ls pull` first")
    report = agreement_report(sets)
    write_json(root / REPORT, report)
    if as_json:
        import orjson

        print(orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
    else:
        print_report(report)
        print(f"report written to {REPORT}")
