"""Seeded synthetic news articles (~2 KB, English and Spanish) for the bulk-suggestion benchmark and tests.

Article i comes from its own RNG (seed, i), so it does not depend on N. Each has a headline, paragraphs made of
synth.py's entity, claim and filler sentences, and metadata (outlet, url, date); every `html_every`-th article
is given as HTML instead of text. Written as JSON Lines or Parquet (by the suffix of --out).

    python benchmarks/articles.py --articles 2000 --out /tmp/bench/articles-2000.jsonl [--seed 0] [--html-every 5]
"""

from __future__ import annotations

import argparse
import html
import random
import sys
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # the export generator's vocabulary: entities, sentences, claim units)

TARGET_CHARS = 2_000
OUTLETS = ("El Nacional", "Efecto Cocuyo", "Reuters", "Associated Press", "El País")
HEADLINES = {
    "en": ("{0} and {1} expand military ties", "{0} warns {1} over new deployment", "Talks between {0} and {1}"),
    "es": ("{0} y {1} amplían sus lazos militares", "{0} advierte a {1} por el nuevo despliegue",
           "Conversaciones entre {0} y {1}"),
}


def _surface(rng: random.Random, lang: str) -> str:
    _, en, es = rng.choice(synth.ENTITIES)
    return en if lang == "en" else es


def _claim(rng: random.Random, lang: str) -> str:
    _, _, en_word, es_word = rng.choice(synth.CLAIM_UNITS)
    qualifier = rng.choice(tuple(synth.QUALIFIER_WORDS.values()))[0 if lang == "en" else 1]
    value = synth._fmt_int(rng.randrange(2, 9_000), lang)
    return f"{qualifier}{value} {en_word if lang == 'en' else es_word}"


def article(i: int, seed: int = 0, html_every: int = 5) -> dict[str, Any]:
    """Article i: {id, text | html, outlet, url, date}."""
    rng = random.Random(f"{seed}:{i}")
    lang = "es" if rng.random() < 0.5 else "en"
    headline = rng.choice(HEADLINES[lang]).format(_surface(rng, lang), _surface(rng, lang))
    paragraphs: list[str] = []
    size = len(headline)
    while size < TARGET_CHARS:
        sentences = []
        for _ in range(rng.randrange(2, 5)):
            kind = rng.random()
            if kind < 0.45:
                sentences.append(rng.choice(synth.ENTITY_SENTENCES[lang]).format(_surface(rng, lang),
                                                                              _surface(rng, lang)))
            elif kind < 0.7:
                template = rng.choice(synth.CLAIM_SENTENCES[lang])
                sentences.append(template.replace("{C}", _claim(rng, lang)).format(_surface(rng, lang)))
            else:
                sentences.append(rng.choice(synth.FILLER[lang]))
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 2
    record: dict[str, Any] = {"id": f"a{i:07d}"}
    if html_every and i % html_every == html_every - 1:
        body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
        record["html"] = (f"<html><head><title>{html.escape(headline)}</title><script>var x = 1;</script></head>"
                          f"<body><h1>{html.escape(headline)}</h1>\n{body}</body></html>")
    else:
        record["text"] = headline + "\n\n" + "\n\n".join(paragraphs) + "\n"
    record["outlet"] = OUTLETS[rng.randrange(len(OUTLETS))]
    record["url"] = f"https://news.example.org/{lang}/{i}"
    record["date"] = f"2025-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
    return record


def write_articles(path: Path, n: int, seed: int = 0, html_every: int = 5) -> Path:
    """N articles as JSON Lines (.jsonl) or Parquet (.parquet)."""
    records = [article(i, seed, html_every) for i in range(n)]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        columns = ("id", "text", "html", "outlet", "url", "date")
        table = pa.table({c: [r.get(c) for r in records] for c in columns})
        pq.write_table(table, path, row_group_size=500)
    else:
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--html-every", type=int, default=5)
    args = parser.parse_args(argv)
    write_articles(args.out, args.articles, args.seed, args.html_every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
