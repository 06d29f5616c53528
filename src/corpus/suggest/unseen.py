"""How well do the suggestions hold on articles the rules never saw? Scores against tests/data/unseen/gold.toml.

The seed score (`corpus eval preannotations`) is not held out: the rules were written reading the seeds. These
articles were written for this test, in the style of other outlets (see tests/data/unseen/README.md), each cleaned
as `corpus add` would with its outlet given. Entities are scored as distinct names per article: a gold
(surface, label) is found when a suggestion has exactly that surface and label. Claims are scored per span: a
suggestion matches a gold claim when the spans overlap and the values are equal.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import typer

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import atomic_write_text, repo_root
from corpus.core.models import Document, Source, SourceField
from corpus.ingest.clean import clean_bytes
from corpus.suggest.preannotate import model_version, suggest
from corpus.suggest.unseen_pages import render_pages

UNSEEN = Path("tests") / "data" / "unseen"
PERFORMANCE_FILE = Path("docs") / "performance.md"
START_MARK = "<!-- unseen:start -->"
END_MARK = "<!-- unseen:end -->"
PAGES_START = "<!-- unseen-pages:start -->"
PAGES_END = "<!-- unseen-pages:end -->"
COMMAND = "corpus eval unseen"


@dataclass
class Score:
    entities_found: Counter[str] = field(default_factory=Counter)  # per label, distinct gold names suggested
    entities_gold: Counter[str] = field(default_factory=Counter)
    entities_suggested: int = 0  # distinct (surface, label) suggested
    entities_correct: int = 0
    claims_gold: int = 0
    claims_found: int = 0
    claims_suggested: int = 0
    claims_correct: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def entity_recall(self) -> float:
        return _ratio(sum(self.entities_found.values()), sum(self.entities_gold.values()))

    @property
    def entity_precision(self) -> float:
        return _ratio(self.entities_correct, self.entities_suggested)

    @property
    def claim_recall(self) -> float:
        return _ratio(self.claims_found, self.claims_gold)

    @property
    def claim_precision(self) -> float:
        return _ratio(self.claims_correct, self.claims_suggested)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def heldout(gold: dict[str, object], doc: Document) -> bool:
    entry = gold[f"{doc.doc_id}{Path(doc.raw_path).suffix}"]
    return bool(isinstance(entry, dict) and entry.get("heldout"))


def load_unseen(root: Path) -> tuple[dict[str, object], list[Document]]:
    path = root / UNSEEN / "gold.toml"
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    gold = tomllib.loads(path.read_text(encoding="utf-8"))
    docs = []
    unknown = SourceField(how="unknown")
    for name, entry in sorted(gold.items()):
        source = Source(outlet=SourceField(value=entry["outlet"], how="given"), language=unknown, url=unknown,
                        date=unknown)
        raw = (root / UNSEEN / name).read_bytes()
        docs.append(clean_bytes(raw, Path(name).stem, source, (UNSEEN / name).as_posix()))
    return gold, docs


def score(gold: dict[str, object], docs: list[Document]) -> Score:
    out = Score()
    for doc in docs:
        entry = gold[f"{doc.doc_id}{Path(doc.raw_path).suffix}"]
        assert isinstance(entry, dict)
        pred = suggest(doc)
        names = {(e.text, e.label) for e in pred.layers.entities}
        wanted = {(s, label) for s, label in entry["entities"]}
        for surface, label in sorted(wanted):
            out.entities_gold[label] += 1
            if (surface, label) in names:
                out.entities_found[label] += 1
            else:
                out.missed.append(f"{doc.doc_id}: {surface} ({label})")
        out.entities_suggested += len(names)
        out.entities_correct += len(names & wanted)
        spans = []
        for surface, value in entry["claims"]:
            start = doc.text.find(surface)
            if start < 0:
                raise InvalidData([Issue((UNSEEN / "gold.toml").as_posix(), f"doc {doc.doc_id}", "-", "claims",
                                         f"{surface!r} is not in the clean text", "unseen.claim-not-found")])
            spans.append((start, start + len(surface), float(value)))
        out.claims_gold += len(spans)
        claims = pred.layers.claims
        out.claims_suggested += len(claims)

        def match(c: object, s: tuple[int, int, float]) -> bool:
            return bool(c.start < s[1] and s[0] < c.end and math.isclose(c.value, s[2]))  # type: ignore[attr-defined]

        out.claims_found += sum(any(match(c, s) for c in claims) for s in spans)
        out.claims_correct += sum(any(match(c, s) for s in spans) for c in claims)
        out.missed += [f"{doc.doc_id}: claim {doc.text[s[0]:s[1]]!r}" for s in spans
                       if not any(match(c, s) for c in claims)]
        out.missed += [f"{doc.doc_id}: extra claim {c.text!r} = {c.value}" for c in claims
                       if not any(match(c, s) for s in spans)]
    return out


def _rows(name: str, result: Score, with_labels: bool) -> list[str]:
    lines = [f"| {name} | entities | all | {sum(result.entities_gold.values())} | "
             f"{sum(result.entities_found.values())} | {result.entity_recall:.3f} | {result.entities_suggested} | "
             f"{result.entities_correct} | {result.entity_precision:.3f} |"]
    if with_labels:
        for label in sorted(result.entities_gold):
            g, f = result.entities_gold[label], result.entities_found[label]
            lines.append(f"| {name} | entities | {label} | {g} | {f} | {_ratio(f, g):.3f} | | | |")
    lines.append(f"| {name} | claims | all | {result.claims_gold} | {result.claims_found} | "
                 f"{result.claim_recall:.3f} | {result.claims_suggested} | {result.claims_correct} | "
                 f"{result.claim_precision:.3f} |")
    return lines


def render(gold: dict[str, object], docs: list[Document]) -> tuple[str, Score]:
    """The performance section and the score over every article."""
    langs = Counter(d.language for d in docs)
    kinds = Counter(Path(d.raw_path).suffix for d in docs)
    versions = sorted({model_version(d.language) for d in docs})
    tuned = [d for d in docs if not heldout(gold, d)]
    held = [d for d in docs if heldout(gold, d)]
    everything = score(gold, docs)
    lines = [
        f"Suggestions on {len(docs)} unseen articles (`tests/data/unseen`: {langs['en']} English, {langs['es']} "
        f"Spanish; {kinds['.html']} saved pages, {kinds['.txt']} copied texts; {len(docs)} fictional outlets), "
        "written for this test with hand-made gold, each cleaned as `corpus add` would. Reproduce with "
        f"`{COMMAND}`. Models: {', '.join(f'`{v}`' for v in versions)}.",
        "",
        f"Read with care: the same developer wrote the articles and the rules. The {len(tuned)} `tuned` articles were "
        "written first and the rules were then extended while looking at their misses, so their score is optimistic. "
        f"The {len(held)} `held out` articles were written after that and scored before any further change (one "
        "later fix, an organisation pattern that ran into \"on Friday\", left their score as it was), then "
        "changed again by issue 27's general fixes (given names that are cities, ships, hyphenless designations): "
        "the more honest number, on few names. Entities: distinct names per article, exact surface and "
        "label. Claims: overlap with equal value.",
        "",
        "| set | layer | label | gold | found | recall | suggested | correct | precision |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
        *_rows("all", everything, True),
        *_rows("tuned", score(gold, tuned), False),
        *_rows("held out", score(gold, held), False),
    ]
    return "\n".join(lines) + "\n", everything


def write_section(path: Path, body: str, start: str = START_MARK, end: str = END_MARK,
                  heading: str = "Suggestions on unseen articles") -> None:
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Performance\n"
    block = f"{start}\n{body}{end}"
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n" + block + "\n"
    atomic_write_text(path, text)


def cli_eval_unseen(write: bool, show_misses: bool) -> None:
    """Print (and by default write into docs/performance.md) the unseen-article scores."""
    root = repo_root()
    gold, docs = load_unseen(root)
    body, result = render(gold, docs)
    typer.echo(body)
    if show_misses:
        typer.echo("\n".join(result.missed))
    pages_body, tuned, held, general, general_held = render_pages(root)
    typer.echo(pages_body)
    if show_misses:
        typer.echo("\n".join(["tuning pages:", *tuned.misses, "held-out pages:", *held.misses, "general news:",
                              *general.misses, "general news, held out:", *general_held.misses]))
    if write:
        write_section(root / PERFORMANCE_FILE, body)
        write_section(root / PERFORMANCE_FILE, pages_body, PAGES_START, PAGES_END, "Whole pages (issue 27)")
