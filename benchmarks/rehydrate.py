"""Rehydration speed: N synthetic documents (~5 KB, ~50 entity spans each), half of the copies needing realignment.

The full release is built by the real build, its text-free twin by the real standoff writer; the timed part is one
`corpus.release.rehydrate.rehydrate` call on one core (cleaning every copy, hashing, aligning, writing the folder).
Half the copies are the raw text as released (exact); the other half have curly quotes, en dashes, no-break spaces,
Windows line ends and one sentence added in the middle (realigned).

    python benchmarks/rehydrate.py --docs 1000 --seed 0 --workdir /tmp/bench-rehydrate
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import time
from collections import Counter
from pathlib import Path

from corpus.core.models import EntityMention, GoldDocument, Source, SourceField, StanceJudgement
from corpus.core.taxonomy import STANCE_TARGET_NAMES
from corpus.ingest.clean import clean_bytes
from corpus.release.build import build_folder
from corpus.release.rehydrate import rehydrate
from corpus.release.standoff import write_standoff

WORDS = ("the", "government", "said", "on", "that", "military", "cooperation", "would", "continue", "after", "talks",
         "in", "which", "officials", "from", "both", "countries", "discussed", "new", "agreements", "about",
         "energy", "trade", "weapons", "training", "and", "the", "deployment", "of", "advisers", "while", "critics",
         "warned", "it", "was", "a", "risky", "move", "for", "the", "region", "and", "its", "neighbours")
NAMES = {"PER": ["Nicolás Maduro", "Vladimir Putin", "Vladimir Padrino López", "Delcy Rodríguez", "Sergei Lavrov"],
         "GPE": ["Venezuela", "Russia", "Caracas", "Moscow", "Colombia", "the United States"],
         "ORG": ["Rosneft", "the Kremlin", "PDVSA", "the United Nations", "Rostec"]}
SOURCE = Source(outlet=SourceField(how="unknown"), language=SourceField(value="en", how="inferred"),
                url=SourceField(how="unknown"), date=SourceField(how="unknown"))


def sentence(rng: random.Random, spans: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(14, 20))]
    for _ in range(spans):
        label = rng.choice(sorted(NAMES))
        words.insert(rng.randrange(1, len(words)), f"@{label}@{rng.choice(NAMES[label])}@")
    text = " ".join(words)
    if rng.random() < 0.3:
        text += ' - "we will not back down," one of them said'
    if rng.random() < 0.3:
        text = text.replace(" the ", " the country's ", 1)
    return text[0].upper() + text[1:] + "."


def synthetic(rng: random.Random, number: int) -> tuple[bytes, list[tuple[int, int, str]]]:
    """One raw article (title + paragraphs, ~5 KB) and its entity spans (char offsets into the clean text)."""
    paragraphs, size = [f"Talks number {number} on military cooperation"], 0
    while size < 4900:
        para = " ".join(sentence(rng, rng.choice((1, 2, 2))) for _ in range(rng.randint(2, 4)))
        paragraphs.append(para)
        size += len(para)
    marked = "\n\n".join(paragraphs)
    spans, out, pos = [], [], 0
    for m in re.finditer(r"@(\w+)@([^@]+)@", marked):
        out.append(marked[pos:m.start()])
        start = sum(map(len, out))
        out.append(m.group(2))
        spans.append((start, start + len(m.group(2)), m.group(1)))
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out).encode("utf-8"), spans


def edited(raw: bytes, rng: random.Random) -> bytes:
    """The same article as a user may hold it: other typography, CRLF, and a sentence added mid-article."""
    text = raw.decode("utf-8")
    text = re.sub(r'"([^"]*)"', "“\\1”", text).replace("'", "’").replace(" - ", " – ").replace(", ", ",\u00a0")
    paras = text.split("\n\n")
    k = len(paras) // 2
    cut = paras[k].find(". ") + 2 if ". " in paras[k] else len(paras[k])
    paras[k] = paras[k][:cut] + f"A later edition added sentence {rng.randint(0, 10**6)} here. " + paras[k][cut:]
    return "\r\n\r\n".join(paras).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-rehydrate"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    shutil.rmtree(args.workdir, ignore_errors=True)
    copies = args.workdir / "copies"
    copies.mkdir(parents=True)

    documents, gold, sizes, span_counts = [], [], [], []
    for number in range(args.docs):
        raw, spans = synthetic(rng, number)
        doc_id = f"{number:04d}_{hashlib.sha256(raw).hexdigest()[:16]}"
        doc = clean_bytes(raw, doc_id, SOURCE)
        assert all(doc.text[a:b] == raw.decode()[a:b] for a, b, _ in spans)
        documents.append(doc)
        gold.append(GoldDocument(
            doc_id=doc_id, entities=[EntityMention(id=f"e{i}", start=a, end=b, text=doc.text[a:b], label=label)
                                     for i, (a, b, label) in enumerate(spans)],
            stance=[StanceJudgement(target=t, label="neutral") for t in STANCE_TARGET_NAMES]))
        sizes.append(len(raw))
        span_counts.append(len(spans))
        (copies / f"{doc_id}.txt").write_bytes(raw if number % 2 == 0 else edited(raw, rng))
    build_folder(args.workdir / "full", "9.9.9", documents, gold, [])
    write_standoff(args.workdir / "full", args.workdir / "standoff", {})

    start, cpu = time.perf_counter(), time.process_time()
    outcome = rehydrate(args.workdir / "standoff", copies, args.workdir / "out", allow_partial=True)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu

    statuses = Counter(d["status"] for d in outcome.report["documents"].values())
    placed = sum(s["spans_placed"] for d in outcome.report["documents"].values() for s in d["layers"].values())
    total = sum(s["spans_total"] for d in outcome.report["documents"].values() for s in d["layers"].values())
    print(f"documents: {args.docs}, mean raw size {sum(sizes) / len(sizes) / 1000:.1f} KB, "
          f"mean spans {sum(span_counts) / len(span_counts):.1f}; statuses {dict(sorted(statuses.items()))}")
    print(f"spans placed: {placed}/{total}")
    print(f"rehydrate: wall {wall:.2f} s, CPU {cpu:.2f} s, {args.docs / wall:.0f} documents/s (one process)")


if __name__ == "__main__":
    main()
