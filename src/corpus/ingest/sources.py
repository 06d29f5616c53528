"""Writing seeds/sources.toml: a new entry is appended as text, so nothing already in the file is rewritten.

(Reading and validating the file is `corpus.ingest.clean.load_sources`.) The entry is rendered by hand because a TOML
writer would re-emit the whole file and lose its comments, which carry the reasons behind each `inferred` value.
"""

from __future__ import annotations

import json
import tomllib

from corpus.core.errors import InvalidData, Issue
from corpus.core.models import Source, SourceField

FIELDS = ("outlet", "language", "url", "date")


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _field(field: SourceField) -> str:
    if field.value is None:
        return f"{{ how = {_string(field.how)} }}"
    return f"{{ value = {_string(field.value)}, how = {_string(field.how)} }}"


def render_entry(doc_id: str, source: Source, notes: dict[str, str], header: str) -> str:
    """One `[doc_id]` table; `notes` are comments put above their field, `header` above the table's fields."""
    lines = [f"[{_string(doc_id)}]", *(f"# {line}" for line in header.splitlines())]
    for name in FIELDS:
        if name in notes:
            lines += [f"# {line}" for line in notes[name].splitlines()]
        lines.append(f"{name} = {_field(getattr(source, name))}")
    lines.append(f"license_note = {_string(source.license_note)}")
    if source.added:
        lines.append(f"added = {_string(source.added)}")
    if source.added_from:
        lines.append(f"added_from = {_string(source.added_from)}")
    if source.near_duplicate_of:
        if "near_duplicate_of" in notes:
            lines.append(f"# {notes['near_duplicate_of']}")
        lines.append(f"near_duplicate_of = {_string(source.near_duplicate_of)}")
    if source.title:
        if "title" in notes:
            lines.append(f"# {notes['title']}")
        lines.append(f"title = {_string(source.title)}")
    return "\n".join(lines) + "\n"


def append_entries(text: str, entries: list[str], path: str) -> str:
    """The file's text with the entries appended, checked to parse back to the same Sources (else InvalidData)."""
    before = tomllib.loads(text) if text.strip() else {}
    out = text if not text or text.endswith("\n") else text + "\n"
    for entry in entries:
        out += "\n" + entry
    try:
        after = tomllib.loads(out)
    except tomllib.TOMLDecodeError as exc:  # a bug here, never the user's input: still no traceback
        raise InvalidData([Issue(path, "-", "-", "-", f"appending would break the file: {exc}",
                                 "sources.syntax")]) from None
    for doc_id, entry in before.items():
        if after.get(doc_id) != entry:
            raise InvalidData([Issue(path, f"doc {doc_id}", "-", "-", "appending would change an existing entry",
                                     "sources.rewrite")])
    for doc_id in set(after) - set(before):
        Source.model_validate(after[doc_id])
    return out
