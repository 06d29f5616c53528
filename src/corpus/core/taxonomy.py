"""The corpus's label set, loaded once per process from its taxonomy.toml (see corpus.core.taxonomy_file).

Pydantic models, JSON Schemas, the Label Studio XML, HF ClassLabels, the dataset card and the guidelines' label
tables all derive from it; drift tests compare the generated artefacts with it. The package holds no label of
its own: which file is read is decided by CORPUS_TAXONOMY, else the corpus repository the command runs in.
The vocabularies are served as module attributes (tx.ENTITY_LABELS, ...) so every stage reads them one way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.core.errors import UserError
from corpus.core.io import repo_root
from corpus.core.taxonomy_file import load

# Span layers with a fixed label (named in Label Studio's from_name and in the canonical files): structure, not
# vocabulary, so they are the package's.
CLAIM_LABEL = "CLAIM"
STANCE_SPAN_LABEL = "STANCE"
SPLITS: tuple[str, ...] = ("test",)
FILE_NAME = "taxonomy.toml"
ENV = "CORPUS_TAXONOMY"


@dataclass(frozen=True)
class Label:
    name: str
    description: str
    hotkey: str = ""
    color: str = ""
    examples: tuple[str, ...] = ()
    kind: str = ""  # units only: the claim kind the unit implies
    retired: str = ""  # the taxonomy version that took it out of use: keeps its ClassLabel id, never offered


@dataclass(frozen=True)
class Taxonomy:
    version: str
    entity_types: tuple[Label, ...]
    relation_types: tuple[Label, ...]
    stance_targets: tuple[Label, ...]
    stance_labels: tuple[Label, ...]
    polarities: tuple[Label, ...]
    qualifiers: tuple[Label, ...]
    claim_kinds: tuple[Label, ...]
    units: tuple[Label, ...]
    claim_span: Label
    stance_span: Label
    source: str = ""
    migrations: tuple[Any, ...] = ()  # taxonomy_file.Migration, in order (corpus.core.migrations replays them)
    attrs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        names = lambda labels: tuple(label.name for label in labels)  # noqa: E731
        entity_labels = names(self.entity_types)
        self.attrs.update({
            "TAXONOMY_VERSION": self.version,
            "ENTITY_TYPES": self.entity_types, "ENTITY_LABELS": entity_labels,
            "RELATION_TYPES": self.relation_types, "RELATION_NAMES": names(self.relation_types),
            "STANCE_TARGETS": self.stance_targets, "STANCE_TARGET_NAMES": names(self.stance_targets),
            "STANCE_LABELS": self.stance_labels, "STANCE_LABEL_NAMES": names(self.stance_labels),
            "POLARITIES": self.polarities, "POLARITY_NAMES": names(self.polarities),
            "QUALIFIERS": self.qualifiers, "QUALIFIER_NAMES": names(self.qualifiers),
            "CLAIM_KINDS": self.claim_kinds, "CLAIM_KIND_NAMES": names(self.claim_kinds),
            "UNITS": self.units, "UNIT_NAMES": names(self.units),
            "UNIT_KIND": {u.name: u.kind for u in self.units},
            # BIO tag names for the NER view: O first, then B-/I- per entity type, in taxonomy order.
            # Names a new annotation may use (ClassLabel lists above keep retired values at their position).
            "OFFERED": {vocab: frozenset(x.name for x in labels if not x.retired) for vocab, labels in (
                ("entities", self.entity_types), ("relations", self.relation_types),
                ("stance_targets", self.stance_targets), ("stance_labels", self.stance_labels),
                ("polarities", self.polarities), ("qualifiers", self.qualifiers),
                ("claim_kinds", self.claim_kinds), ("units", self.units))},
            "NER_TAGS": ("O", *(f"{p}-{e}" for e in entity_labels for p in ("B", "I"))),
        })

    @classmethod
    def from_file(cls, path: Path) -> Taxonomy:
        data = load(path)

        def labels(specs: list[Any]) -> tuple[Label, ...]:
            return tuple(Label(s.name, s.description, s.hotkey, s.color, tuple(s.examples),
                               getattr(s, "kind", ""), s.retired) for s in specs)

        return cls(version=data.version, entity_types=labels(data.entities), relation_types=labels(data.relations),
                   stance_targets=labels(data.stance_targets), stance_labels=labels(data.stance_labels),
                   polarities=labels(data.polarities), qualifiers=labels(data.qualifiers),
                   claim_kinds=labels(data.claim_kinds), units=labels(data.units),
                   claim_span=Label(CLAIM_LABEL, data.claim_span.description, data.claim_span.hotkey,
                                    data.claim_span.color),
                   stance_span=Label(STANCE_SPAN_LABEL, data.stance_span.description, data.stance_span.hotkey,
                                     data.stance_span.color),
                   source=str(path), migrations=tuple(data.migrations))


def from_release(folder: Path) -> Taxonomy:
    """The vocabularies a release folder publishes (its documents config's ClassLabels): enough to read, score,
    export or rehydrate it where no corpus repository is at hand. Descriptions, keys and unit kinds are not
    published there, so they stay empty; nothing that needs them (Label Studio, validation) runs on a release."""
    import json

    import pyarrow.parquet as pq

    files = sorted((folder / "documents").glob("*.parquet"))
    if not files:
        raise UserError(f"{folder}: no documents/*.parquet, so no label set to read (is it a release folder?)")
    try:
        meta = pq.read_schema(files[0]).metadata or {}
        features = json.loads(meta[b"huggingface"])["info"]["features"]
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise UserError(f"{folder}: cannot read its label set from {files[0].name} and manifest.json: {exc}") from None

    def names(layer: str, column: str) -> tuple[Label, ...]:
        try:
            return tuple(Label(name, "") for name in features[layer]["feature"][column]["names"])
        except (KeyError, TypeError):
            raise UserError(f"{files[0]}: no ClassLabel {layer}.{column} in its features") from None

    span = Label("", "")
    return Taxonomy(version=str(manifest.get("taxonomy_version", "")), entity_types=names("entities", "label"),
                    relation_types=(), stance_targets=names("stance", "target"), stance_labels=names("stance", "label"),
                    polarities=names("attributed", "polarity"), qualifiers=names("claims", "qualifier"),
                    claim_kinds=names("claims", "kind"), units=names("claims", "unit"),
                    claim_span=span, stance_span=span, source=str(folder))


def use_release_if_no_corpus(folder: Path) -> None:
    """Commands that only read a release take its label set when they run outside a corpus repository."""
    if _active is None and find() is None:
        use(from_release(folder))


def find() -> Path | None:
    """CORPUS_TAXONOMY, else taxonomy.toml at the root of the corpus repository the command runs in."""
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    path = repo_root() / FILE_NAME
    return path if path.is_file() else None


_active: Taxonomy | None = None


def active() -> Taxonomy:
    global _active
    if _active is None:
        path = find()
        if path is None:
            raise UserError(f"no {FILE_NAME} here: run inside a corpus repository (a folder holding {FILE_NAME}; "
                            f"`corpus init` makes one) or set {ENV} to the taxonomy file")
        _active = Taxonomy.from_file(path)
    return _active


def use(taxonomy: Taxonomy) -> None:
    """Make `taxonomy` the process's label set: before any stage module that reads it is imported."""
    global _active
    _active = taxonomy


def offered(vocabulary: str) -> frozenset[str]:
    """The names of `vocabulary` (a taxonomy.toml list: "units", ...) a new annotation may use: not retired."""
    return frozenset(active().attrs["OFFERED"][vocabulary])


def offered_targets() -> tuple[str, ...]:
    """The stance targets every annotation answers, in ClassLabel order: a merged or removed target keeps its id
    but is asked of nobody."""
    asked = offered("stance_targets")
    return tuple(t for t in active().attrs["STANCE_TARGET_NAMES"] if t in asked)


def kind_for_unit(unit: str) -> str:
    """The kind a normalised unit implies ('other' for an unknown unit)."""
    return str(active().attrs["UNIT_KIND"].get(unit, "other"))


def __getattr__(name: str) -> Any:
    """tx.ENTITY_LABELS and the other vocabularies, from the active taxonomy."""
    if name.isupper() and not name.startswith("_"):
        attrs = active().attrs
        if name in attrs:
            return attrs[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
