"""Where should `corpus add` draw the near-duplicate line? Similarities of distinct stories vs. edited copies.

    python benchmarks/near_duplicates.py

Distinct stories: every pair of the seeds and the unseen test articles (tests/data/unseen), cleaned as `corpus add`
cleans them; several are about the same subject (Russian arms, Venezuela), which is the hard case. Copies: for each
article, deterministic edits a re-publisher makes: the same body under another headline (re-syndication), one word in
ten replaced, the last third cut, a new paragraph added at the end, two paragraphs dropped and one added. The score is
`corpus.ingest.add.similarity` (datasketch MinHash of 5-word shingles, the estimate `corpus add` uses).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from corpus.core.models import Document
from corpus.ingest.add import NEAR_DUPLICATE_THRESHOLD, minhash, similarity
from corpus.ingest.clean import clean_bytes, load_documents

ROOT = Path(__file__).resolve().parents[1]
UNSEEN = ROOT / "tests" / "data" / "unseen"


def articles() -> list[Document]:
    docs = load_documents(ROOT)
    for path in sorted(UNSEEN.iterdir()):
        if path.suffix in (".txt", ".html"):
            docs.append(clean_bytes(path.read_bytes(), path.stem, None, f"tests/data/unseen/{path.name}"))
    return docs


def edits(text: str) -> dict[str, str]:
    paras = text.split("\n\n")
    body = paras[1:]
    words = text.split(" ")
    extra = "Officials did not immediately respond to a request for comment on the report."
    return {
        "new headline": "\n\n".join(["A different headline for the same story", *body]),
        "1 word in 10 replaced": " ".join("reportedly" if i % 10 == 5 else w for i, w in enumerate(words)),
        "last third cut": "\n\n".join(paras[: max(2, len(paras) * 2 // 3)]),
        "paragraph added": "\n\n".join([*paras, extra]),
        "2 dropped, 1 added": "\n\n".join([*paras[:1], *paras[3:], extra]),
    }


def main() -> int:
    docs = articles()
    hashes = {d.doc_id: minhash(d.text) for d in docs}
    distinct = sorted(((similarity(hashes[a.doc_id], hashes[b.doc_id]), a.doc_id, b.doc_id)
                       for a, b in itertools.combinations(docs, 2)), reverse=True)
    copies: dict[str, list[float]] = {}
    for d in docs:
        for name, text in edits(d.text).items():
            copies.setdefault(name, []).append(similarity(hashes[d.doc_id], minhash(text)))
    print(f"{len(docs)} articles, {len(distinct)} distinct pairs; threshold {NEAR_DUPLICATE_THRESHOLD}")
    print("| pairs | n | min | max |")
    print("|---|---:|---:|---:|")
    print(f"| distinct stories | {len(distinct)} | {distinct[-1][0]:.3f} | {distinct[0][0]:.3f} |")
    for name, values in copies.items():
        print(f"| copy: {name} | {len(values)} | {min(values):.3f} | {max(values):.3f} |")
    print(f"most similar distinct pair: {distinct[0][1]} / {distinct[0][2]} ({distinct[0][0]:.3f})")
    lowest_copy = min(min(v) for v in copies.values())
    ok = distinct[0][0] < NEAR_DUPLICATE_THRESHOLD <= lowest_copy
    print(f"threshold separates them: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
