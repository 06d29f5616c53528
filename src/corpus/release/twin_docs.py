"""The text-free twin's own card and croissant.json, rendered for what the twin holds.

The twin is derived from the full folder, so its documentation starts from the full release's (same facts, same
provenance, same datasheet) and replaces every part that describes the texts: the fields and the config table
(from the twin's own features), where offsets point, the licensing (the annotations alone), and a section on
where the texts came from, how to rehydrate them and what `full/README.md` and `full/croissant.json` are for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import datasets as hfd
import pyarrow as pa

from corpus.release.card import CONFIG_HELP, _feature_type

STANDOFF_CONFIG_HELP: dict[str, str] = {
    "documents": "one row per document: hashes of the raw and clean text, title, source metadata and rights, "
                 "alignment fingerprints, all gold layers nested (no text, no stance evidence text)",
    "ner": "one row per sentence: token offsets and BIO tags from the gold entities (no tokens)",
    "annotators": "one row per (document, annotator): each annotator's own labels (no stance evidence text)",
}
FULL_DOCS = "full"  # the full release's README.md and croissant.json, restored by `corpus rehydrate`
_OFFSETS = "Offsets are Python string indices (code points) into the document `text`, which starts with the title."
_TWIN_OFFSETS = ("Offsets are Python string indices (code points) into each article's clean text, which starts "
                 "with the title; this folder does not hold the texts (the section above says how to get them).")


def standoff_section(version: str) -> str:
    """How to get the texts back: the part of the card only the text-free variant has (releases up to 1.1.0)."""
    return f"""## Text-free release: obtaining the articles and rehydrating them

This folder holds no article text: the publishers' rights do not allow redistributing it. It keeps everything
else: offsets, labels, normalised values, entity and claim surfaces (short quotations to check alignment), and for
each document the SHA-256 of its raw and of its clean text, its title, outlet, URL and date where known, plus
text-free fingerprints (hashes of sentences and of each span's surface and neighbourhood) used to re-anchor the
spans on your own copy. Configs that differ from the full release: {"; ".join(
        f"`{c}`: {h}" for c, h in STANDOFF_CONFIG_HELP.items())}.

1. Obtain each article yourself (outlet and title are in the `documents` config) and save it as
   `<doc_id>.txt` (the page text, a reader-view copy, ...) or `<doc_id>.html` (the saved page) in one folder.
2. Install the `corpus` package from the source repository and run:

```bash
corpus rehydrate path/to/this/folder --texts MY_COPIES --out full-{version}
```

Each copy is cleaned by the same rules as the release. A copy whose clean text has the release's `clean_sha256`
gets the spans as they are; any other copy is re-aligned, and a span is placed only where its surface and its
neighbourhood agree: one that cannot be placed is reported in `full-{version}/rehydration.json`, never guessed.
The command exits 1 and writes nothing unless every document is found and every span placed; `--allow-partial`
writes the placed spans and the report. From exact copies the result is byte-identical to the full release.

"""


RULES_SHIPPED = """The cleaning rules this corpus adds to the package's generic ones (per outlet and per document)
are in `cleaning_rules.toml` of this folder, exactly as the release was cleaned with them: `corpus rehydrate` reads
them from here, so it needs no copy of the source repository."""


def twin_section(version: str, rules: bool = False) -> str:
    """The twin's own section: what it holds, where the texts came from, rehydration, and the full/ folder.
    `rules`: the folder ships the corpus's cleaning_rules.toml (twins after 1.2.0)."""
    return standoff_section(version).rstrip("\n") + ("\n\n" + RULES_SHIPPED if rules else "") + f"""

### Where the texts came from

Every document names its source in the `documents` config (`source`: outlet, URL and date where known, the
terms stated for the text, and `redistribution` with how that right is known) and in the Source data table below.
The texts are news articles published by those outlets; this folder never held them.

### `{FULL_DOCS}/README.md` and `{FULL_DOCS}/croissant.json`

The card and the Croissant metadata of the full release, exactly as released with the texts. They describe the
full folder (fields such as `text`, `subtitle`, `ner.tokens` and `attributed.text`), not this one:
`corpus rehydrate` puts them back as `README.md` and `croissant.json` of the folder it writes (updated only where
your copies differ from the release), so they are the documentation of what rehydration gives you.

"""


def _structure(features: Mapping[str, hfd.Features], tables: Mapping[str, pa.Table]) -> list[str]:
    rows = [f"| `{c}` | {tables[c].num_rows} | {STANDOFF_CONFIG_HELP.get(c, CONFIG_HELP[c])} |" for c in features]
    return rows + [f"| `{c}` | 0 (not in this build: datasets cannot load an empty split) | "
                   f"{STANDOFF_CONFIG_HELP.get(c, help_)} |" for c, help_ in CONFIG_HELP.items() if c not in features]


def _fields(features: Mapping[str, hfd.Features]) -> list[str]:
    return [f"- `{c}`: " + "; ".join(f"`{k}` ({_feature_type(v)})" for k, v in feats.items())
            for c, feats in features.items()]


def _replace_block(body: str, first: str, lines: list[str]) -> str:
    """Replace the lines that follow the line `first` up to the next blank line."""
    match = re.search(rf"^{re.escape(first)}\n(?:.+\n)*", body, re.MULTILINE)
    if match is None:
        raise ValueError(f"the full card has no block starting {first!r}")
    return body[:match.start()] + first + "\n" + "".join(f"{line}\n" for line in lines) + body[match.end():]


def licence_parts(croissant: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(annotations licence, its URL) as the full croissant.json states them (None when not recorded)."""
    found = croissant.get("license")
    entry = found[0] if isinstance(found, list) and found and isinstance(found[0], Mapping) else {}
    match = re.match(r"Annotations: (.+?)\. ", str(entry.get("description", "")))
    return (match.group(1) if match else None), entry.get("url")


def twin_licence(croissant: Mapping[str, Any]) -> str:
    annotations, url = licence_parts(croissant)
    terms = (f"released under {annotations} ({url})" if annotations and url else "under a licence not recorded")
    found = croissant.get("license")
    name = found[0].get("name") if isinstance(found, list) and found and isinstance(found[0], Mapping) else None
    return ((f"Licence `{name}`, as for the full release. " if name else "")
            + f"This text-free folder holds annotations only: offsets, labels, normalised values, stances, the "
            f"fingerprints, and short quotations (titles and entity and claim surfaces) kept to check alignment; they "
            f"are {terms}. It holds no article text. The texts stay copyrighted by their publishers under the terms "
            "each outlet states (the Source data table above): obtain them yourself, and a folder you rehydrate from "
            "them holds them under those terms, not under the annotations' licence.")


def twin_card_body(body: str, version: str, features: Mapping[str, hfd.Features], tables: Mapping[str, pa.Table],
                   croissant: Mapping[str, Any], rules: bool = False) -> str:
    """The full card's body rewritten for the twin (its YAML is the caller's)."""
    body = _replace_block(body, "| config | rows | content |", ["|---|---|---|", *_structure(features, tables)])
    body = _replace_block(body, "Fields:", _fields(features))
    body = body.replace(_OFFSETS, _TWIN_OFFSETS)
    marker = "## Dataset structure"
    section = twin_section(version, rules)
    body = body.replace(marker, section + marker, 1) if marker in body else body + "\n" + section
    licensing = re.search(r"^## Licensing\n\n(.*?)\n\n(?=## )", body, re.MULTILINE | re.DOTALL)
    if licensing is not None:
        body = body[:licensing.start(1)] + twin_licence(croissant) + body[licensing.end(1):]
    return body


def twin_croissant_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The full croissant's description and licence, said for the twin."""
    data = dict(data)
    data["description"] = data.get("description", "") + (
        " Text-free variant: no article text; the card says where the texts came from and how to rehydrate them "
        "from your own copies.")
    annotations, _ = licence_parts(data)
    found = data.get("license")
    if isinstance(found, list) and found and isinstance(found[0], Mapping):
        data["license"] = [{**found[0], "description": f"Annotations: {annotations or 'licence not recorded'}. "
                            "This text-free variant holds no article text; the texts stay copyrighted by their "
                            "publishers."}, *found[1:]]
    return data
