"""spaCy DocBin (`corpus.spacy`): one Doc per document, tokenised so that every span boundary is a token boundary.

Gold entities are `doc.ents`; claims and stance evidence are the span groups `claims` (label CLAIM) and `stance`
(label STANCE), each span's `id_` the release's region id. Their fields, the relations and the document stance
are in `doc.user_data` (stored by the DocBin): `doc_id`, `language`, `guidelines_version`, `document_stance`
({target: label}) and `claims` / `stance` ({region id: fields}). Needs spaCy (the `ner` extra), imported here only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import atomic_write_bytes
from corpus.release.export.source import ExportDoc

FILE = "corpus.spacy"
INSTALL_HINT = ("--format spacy needs spaCy, which the base install does not include: "
                "pip install 'corpus[ner]' (or pip install 'spacy>=3.8,<3.9')")
CLAIM_FIELDS = ("value", "value_max", "unit", "qualifier", "kind", "claimant", "claimant_id")
STANCE_FIELDS = ("target", "polarity", "holder", "holder_id")


def import_spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    return spacy


def _boundaries(doc: ExportDoc) -> set[int]:
    return {p for layer in (doc.entities, doc.claims, doc.attributed) for s in layer for p in (s["start"], s["end"])}


def words_and_spaces(tokens: list[tuple[str, bool, int]], cuts: set[int]) -> tuple[list[str], list[bool]]:
    """spaCy's (text, trailing space, offset) tokens split at every cut inside one: the same text, finer tokens."""
    words: list[str] = []
    spaces: list[bool] = []
    for text, space, idx in tokens:
        inner = sorted(c - idx for c in cuts if idx < c < idx + len(text))
        pieces = [text[a:b] for a, b in zip([0, *inner], [*inner, len(text)], strict=True)]
        words += pieces
        spaces += [False] * (len(pieces) - 1) + [space]
    return words, spaces


def make_doc(nlp: Any, doc: ExportDoc) -> Any:
    from spacy.tokens import Doc

    base = nlp.make_doc(doc.text)
    words, spaces = words_and_spaces([(t.text, bool(t.whitespace_), t.idx) for t in base], _boundaries(doc))
    out = Doc(nlp.vocab, words=words, spaces=spaces)
    assert out.text == doc.text

    def span(region: dict[str, Any], label: str) -> Any:
        found = out.char_span(region["start"], region["end"], label=label)
        if found is None:  # cannot happen: every boundary was made a token boundary
            raise InvalidData([Issue("documents", f"doc {doc.doc_id}", region["id"], "start/end",
                                     "span does not fall on token boundaries", "export.spacy-span")])
        found.id_ = region["id"]
        return found

    out.ents = [span(e, e["label"]) for e in doc.entities]
    out.spans["claims"] = [span(c, tx.CLAIM_LABEL) for c in doc.claims]
    out.spans["stance"] = [span(s, tx.STANCE_SPAN_LABEL) for s in doc.attributed]
    out.user_data.update({
        "doc_id": doc.doc_id, "language": doc.language, "guidelines_version": doc.guidelines_version,
        "document_stance": {s["target"]: s["label"] for s in doc.stance},
        "claims": {c["id"]: {k: c[k] for k in CLAIM_FIELDS} for c in doc.claims},
        "stance": {s["id"]: {k: s[k] for k in STANCE_FIELDS} for s in doc.attributed},
    })
    return out


def write_docbin(docs: list[ExportDoc], out: Path) -> list[str]:
    spacy = import_spacy()
    from spacy.tokens import DocBin

    blank = {lang: spacy.blank(lang) for lang in sorted({d.language for d in docs})}
    docbin = DocBin(store_user_data=True)
    for doc in docs:
        docbin.add(make_doc(blank[doc.language], doc))
    atomic_write_bytes(out / FILE, docbin.to_bytes())
    return [FILE]
