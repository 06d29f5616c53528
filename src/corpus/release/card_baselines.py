"""The card's "Baselines" section, read from the committed report `corpus baselines` writes (docs/baselines/).

A report belongs to a build only when its gold fingerprint equals the build's: numbers computed on other gold
are never shown. Every number is formatted by the scorer's own `fmt`, so the card shows what `corpus score`
prints for the same predictions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from corpus.release.scoring.report import fmt

BASELINES_DIR = Path("docs") / "baselines"
Getter = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]


def _get(*keys: str) -> Getter:
    def get(report: Mapping[str, Any]) -> Mapping[str, Any] | None:
        node: Any = report
        for key in keys:
            if not isinstance(node, Mapping) or key not in node:
                return None
            node = node[key]
        return node if isinstance(node, Mapping) else None
    return get


# (layer, what is matched, where its precision/recall/F1 are in a `corpus score` report)
ROWS: tuple[tuple[str, str, Getter], ...] = (
    ("entities", "strict, micro", _get("entities", "strict", "micro")),
    ("entities", "strict, macro", _get("entities", "strict", "macro")),
    ("entities", "partial, micro", _get("entities", "partial", "micro")),
    ("entities", "type, micro", _get("entities", "type", "micro")),
    ("claims", "span overlap", _get("claims", "span_overlap")),
    ("claims", "span + all fields", _get("claims", "all")),
    ("attributed", "span + target + polarity", _get("attributed", "polarity")),
)


def _order(path: Path) -> tuple[int, tuple[int, ...], str]:
    parts = path.stem.split(".")
    if all(p.isdigit() for p in parts):
        return (1, tuple(int(p) for p in parts), path.stem)
    return (0, (), path.stem)


def load_baselines(root: Path) -> list[dict[str, Any]]:
    """Every committed baseline report, oldest version first (file names X.Y.Z.json)."""
    folder = root / BASELINES_DIR
    return [orjson.loads(p.read_bytes()) for p in sorted(folder.glob("*.json"), key=_order)] if folder.is_dir() \
        else []


def rows(doc: Mapping[str, Any]) -> list[list[str]]:
    """[baseline, layer, match, precision, recall, F1] for every row a baseline's report has."""
    out = []
    for result in doc["baselines"]:
        for layer, match, get in ROWS:
            scores = get(result["report"])
            if scores is not None:
                out.append([result["name"], layer, match, fmt(scores["precision"]), fmt(scores["recall"]),
                            fmt(scores["f1"])])
    return out


def baselines_markdown(reports: Sequence[Mapping[str, Any]], gold_fingerprint: str) -> str:
    """The section body: the table of the report made on this gold, or why there is none."""
    # The newest report on this gold: a release whose gold did not change may have its own, recomputed one.
    doc = next((r for r in reversed(reports) if r.get("gold_fingerprint") == gold_fingerprint), None)
    if doc is None:
        return ("No baseline was scored against this gold (`corpus baselines FOLDER --out "
                "docs/baselines/VERSION.json` scores them before a release).\n")
    lines = [
        "Simple systems scored against this gold by the official scorer (`corpus score PREDICTIONS FOLDER`; the "
        "prediction format and every metric are in `docs/scoring.md` of the source repository). Computed with "
        f"`{doc['command']}`; the predictions are kept beside that report, so `corpus score` reproduces every "
        "number. These are not held-out results: the annotators saw the `suggest` predictions while labelling "
        "(pre-annotation bias, see the suggestion bias above), and its number rules were written while reading "
        "these documents, so its scores are optimistic.",
        "",
    ]
    lines += [f"- `{r['name']}`: {r['description']} (models: {', '.join(f'`{v}`' for v in r['model_versions'])})."
              for r in doc["baselines"]]
    lines += ["", "| baseline | layer | match | precision | recall | F1 |", "|---|---|---|---:|---:|---:|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(doc)]
    return "\n".join(lines) + "\n"
