"""CoNLL-2003-style IOB: `token TAG` per line, a blank line after each sentence, and `-DOCSTART- -X- O O` (the
delimiter spaCy's CoNLL-2003 converter splits documents on) before each document. Tokens and tags are the
release's `ner` config (gold entities only, as BIO ClassLabel names)."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from corpus.core.errors import InvalidData, Issue
from corpus.core.io import atomic_write_bytes
from corpus.release.export.source import Sentence

FILE = "ner.conll"
DOCSTART = "-DOCSTART- -X- O O"


def conll_text(sentences: list[Sentence]) -> str:
    lines: list[str] = []
    issues = []
    for doc_id, group in groupby(sentences, key=lambda s: s.doc_id):
        lines += [DOCSTART, ""]
        for sent in group:
            for i, (token, tag) in enumerate(zip(sent.tokens, sent.tags, strict=True)):
                if not token or any(c.isspace() for c in token):
                    issues.append(Issue("ner", f"doc {doc_id}", f"sentence {sent.sentence_id}", f"tokens[{i}]",
                                        f"token {token!r} is empty or holds whitespace: not writable as CoNLL",
                                        "export.conll-token"))
                lines.append(f"{token} {tag}")
            lines.append("")
    if issues:
        raise InvalidData(issues)
    return "".join(f"{line}\n" for line in lines)


def write_conll(sentences: list[Sentence], out: Path) -> list[str]:
    atomic_write_bytes(out / FILE, conll_text(sentences).encode("utf-8"))
    return [FILE]
