"""The corpus description (corpus.toml, beside taxonomy.toml): what the card, Croissant and CITATION say the corpus is.

The package names no topic, language or title of its own: they are the corpus's data. The file sits next to the
active taxonomy (corpus.core.taxonomy), so one process reads one corpus's description, once. Without a file the
corpus is described only by its folder's name (a scratch copy, an old checkout): never by another corpus's words.
Licence and maintainers live in annotations/provenance.json (the record every release document cites).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue

FILE_NAME = "corpus.toml"
# The languages the package cleans, identifies and suggests for; a corpus declares which of them its documents use.
PARSED_LANGUAGES = ("en", "es")
UNDECLARED = "und"  # ISO 639-2 "undetermined": a corpus without corpus.toml declares none

# Names the card and Croissant use for ISO 639-1 codes; a code not listed is shown as the code.
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
                  "it": "Italian", "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish",
                  "ca": "Catalan", "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "tr": "Turkish"}


class Description(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Dataset id: the card, Croissant, Hub repo")
    title: str = Field(min_length=1, description="The card's and CITATION's title")
    topic: str = Field(default="", description="What the articles are about, as the card's first sentence ends "
                       "'... news articles (...) about TOPIC, annotated with ...'; line breaks are kept")
    summary: str = Field(default="", description="One paragraph for the corpus's README")
    languages: list[str] = Field(min_length=1, description="ISO 639-1 codes of the documents' languages")
    tags: list[str] = Field(default_factory=list, description="The card's tags after the generic ones")

    def language_phrase(self) -> str:
        """['en', 'es'] -> 'English and Spanish'."""
        names = [LANGUAGE_NAMES.get(code, code) for code in self.languages]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _toml_str(text: str) -> str:
    if "\n" in text:
        return '"""\n' + text.replace("\\", "\\\\").replace('"""', '\\"""') + '"""'
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_toml(desc: Description) -> str:
    lines = ["# What this corpus is: read by the card, croissant.json and CITATION.cff (see corpus.core.description).",
             "# Licence and maintainers are recorded in annotations/provenance.json."]
    for key in ("name", "title", "topic", "summary"):
        lines.append(f"{key} = {_toml_str(getattr(desc, key))}")
    for key in ("languages", "tags"):
        lines.append(f"{key} = [{', '.join(_toml_str(v) for v in getattr(desc, key))}]")
    return "\n".join(lines) + "\n"


def load(path: Path) -> Description:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Description.model_validate(raw)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidData([Issue(str(path), "-", "-", "-", f"cannot read the corpus description: {exc}",
                                 "description.unreadable")]) from None
    except ValidationError as exc:
        raise InvalidData([Issue(str(path), "-", "-", ".".join(map(str, e["loc"])) or "-", e["msg"],
                                 "description.schema") for e in exc.errors()]) from None


def fallback(folder: Path) -> Description:
    slug = "".join(c if c.isalnum() else "-" for c in folder.name.lower()).strip("-") or "corpus"
    return Description(name=slug, title=folder.name or slug, languages=[UNDECLARED])


def accepted_languages(desc: Description) -> tuple[str, ...]:
    """What `corpus add` takes: the declared languages the package parses (all of them when none is declared)."""
    if desc.languages == [UNDECLARED]:
        return PARSED_LANGUAGES
    return tuple(lang for lang in desc.languages if lang in PARSED_LANGUAGES)


_active: Description | None = None


def active() -> Description:
    """The description beside the active taxonomy file (loaded once per process)."""
    global _active
    if _active is None:
        folder = Path(tx.active().source).resolve().parent
        path = folder / FILE_NAME
        _active = load(path) if path.is_file() else fallback(folder)
    return _active
