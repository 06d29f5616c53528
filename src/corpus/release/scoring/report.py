"""`corpus score`: every scored layer in one JSON report, and the same numbers as tables.

Documents of the release without a prediction line predict nothing (all their gold spans are missed); a layer no
line carries is not scored and is absent from the report.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from corpus.core.io import atomic_write_bytes, dump_json
from corpus.release.scoring.attributed import score_attributed
from corpus.release.scoring.claims import score_claims
from corpus.release.scoring.entities import score_entities
from corpus.release.scoring.predictions import PredDoc, Predictions, read_predictions
from corpus.release.scoring.reference import Reference, fingerprint, load_reference
from corpus.release.scoring.stance import score_stance

SCORER_VERSION = "1"


def score_predictions(preds: Predictions, ref: Reference) -> dict[str, Any]:
    """The report for predictions already read and checked against `ref`."""
    ids = sorted(ref.documents)
    empty = PredDoc(doc_id="", line=0)

    def pairs(layer: str) -> list[tuple[Any, Any]]:
        default: Any = {} if layer == "stance" else []
        return [(getattr(ref.documents[i], layer), preds.documents.get(i, empty).layers.get(layer, default))
                for i in ids]

    report: dict[str, Any] = {
        "scorer": SCORER_VERSION,
        "release": {"folder": ref.folder, "version": ref.version, "documents": len(ids),
                    "gold_fingerprint": fingerprint(ref.documents), "texts_checked": ref.has_text},
        "predictions": {"file": preds.file, "documents": len(preds.documents),
                        "documents_without_prediction": [i for i in ids if i not in preds.documents],
                        "layers": list(preds.layers)},
    }
    if "entities" in preds.layers:
        report["entities"] = score_entities(pairs("entities"), ref.vocabulary.entity)
    if "claims" in preds.layers:
        report["claims"] = score_claims(pairs("claims"), preds.with_claimant)
    if "stance" in preds.layers:
        report["stance"] = score_stance(pairs("stance"), ref.vocabulary.target)
    if "attributed" in preds.layers:
        report["attributed"] = score_attributed(pairs("attributed"), preds.with_holder)
    return report


def score(predictions: Path | str, release: Path | str) -> dict[str, Any]:
    """Score a prediction file (JSON Lines) against a release folder's gold; raises InvalidData on bad input."""
    ref = load_reference(Path(release))
    return score_predictions(read_predictions(Path(predictions), ref), ref)


def fmt(value: float) -> str:
    """How every score is shown, in the terminal and in the card."""
    return f"{value:.3f}"


def tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, columns, rows) per scored layer: what `corpus score` prints."""
    out: list[tuple[str, list[str], list[list[str]]]] = []
    prf = ["possible", "actual", "P", "R", "F1"]
    if "entities" in report:
        rows = []
        for scheme, res in report["entities"].items():
            m = res["micro"]
            rows.append([scheme, "micro", str(m["possible"]), str(m["actual"]), fmt(m["precision"]),
                         fmt(m["recall"]), fmt(m["f1"])])
            a = res["macro"]
            rows.append([scheme, "macro", "", "", fmt(a["precision"]), fmt(a["recall"]), fmt(a["f1"])])
            for label, t in res["per_label"].items():
                rows.append([scheme, label, str(t["possible"]), str(t["actual"]), fmt(t["precision"]),
                             fmt(t["recall"]), fmt(t["f1"])])
        out.append(("entities", ["scheme", "label", *prf], rows))
    for layer in ("claims", "attributed"):
        if layer in report:
            rows = [[name, str(t["possible"]), str(t["actual"]), fmt(t["precision"]), fmt(t["recall"]),
                     fmt(t["f1"])] for name, t in report[layer].items()]
            out.append((layer, ["match", *prf], rows))
    if "stance" in report:
        st = report["stance"]
        rows = [[target, str(s["documents"]), str(s["missing"]), fmt(s["accuracy"]), fmt(s["macro_f1"])]
                for target, s in [*st["per_target"].items(), ("pooled", st["pooled"])]]
        out.append(("stance", ["target", "documents", "missing", "accuracy", "macro-F1"], rows))
    return out


def print_tables(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    rel, pred = report["release"], report["predictions"]
    console.print(f"{pred['file']} scored against {rel['folder']} (version {rel['version']}, {rel['documents']} "
                  f"documents; {pred['documents']} predicted; layers: {', '.join(pred['layers'])})")
    if not rel["texts_checked"]:
        console.print("the release holds no text: offsets and surfaces were not checked against it")
    for title, columns, rows in tables(report):
        table = Table(title=title)
        for i, col in enumerate(columns):
            table.add_column(col, justify="left" if i == 0 or col == "label" else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)


def cli_score(predictions: Path, release: Path, as_json: bool = False, out: Path | None = None) -> None:
    report = score(predictions, release)
    if out is not None:
        atomic_write_bytes(out, dump_json(report))
    if as_json:
        sys.stdout.buffer.write(dump_json(report))
        sys.stdout.flush()
    else:
        print_tables(report)
