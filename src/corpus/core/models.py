"""Typed documents and annotation layers: the contract between pipeline stages.

Labels are plain strings constrained to the taxonomy (an `enum` in the JSON Schema), so the taxonomy stays the
one place labels are defined. Spans carry their surface `text` so a reader can check `doc.text[start:end]`
without the code; semantic rules that need the document live in `corpus.gold.validate`.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from corpus.core import taxonomy as tx
from corpus.core.taxonomy_file import TaxonomyFile

SCHEMA_VERSION = "1.0.0"


def _vocab(name: str, values: tuple[str, ...]) -> object:
    """A str constrained to a taxonomy vocabulary, published as a JSON Schema enum."""

    def check(value: str) -> str:
        if value not in values:
            raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(values)}")
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "enum": list(values)})]


def _offered(names: tuple[str, ...], vocabulary: str) -> tuple[str, ...]:
    """The names a new annotation may use, in taxonomy order (a retired value keeps only its ClassLabel id)."""
    keep = tx.offered(vocabulary)
    return tuple(n for n in names if n in keep)


EntityLabel = _vocab("entity label", _offered(tx.ENTITY_LABELS, "entities"))
StanceTarget = _vocab("stance target", _offered(tx.STANCE_TARGET_NAMES, "stance_targets"))
StanceLabel = _vocab("stance label", _offered(tx.STANCE_LABEL_NAMES, "stance_labels"))
Polarity = _vocab("polarity", _offered(tx.POLARITY_NAMES, "polarities"))
Qualifier = _vocab("qualifier", _offered(tx.QUALIFIER_NAMES, "qualifiers"))
ClaimKind = _vocab("claim kind", _offered(tx.CLAIM_KIND_NAMES, "claim_kinds"))
Unit = _vocab("unit", _offered(tx.UNIT_NAMES, "units"))
RelationType = _vocab("relation type", _offered(tx.RELATION_NAMES, "relations"))


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number (no NaN or infinity)")
    return value


FiniteFloat = Annotated[float, AfterValidator(_finite)]
ID_MAX_LENGTH = 128
Id = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH)]
Offset = Annotated[int, Field(ge=0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Span(Strict):
    """A half-open [start, end) range of Python str indices (code points) into the document text."""

    id: Id
    start: Offset
    end: Offset
    text: str = Field(description="The exact surface: document.text[start:end].")


class EntityMention(Span):
    label: EntityLabel  # type: ignore[valid-type]


class NumericClaim(Span):
    """A quantity expression; the claimant is a `claimed_by` relation to an entity."""

    value: FiniteFloat
    value_max: FiniteFloat | None = None
    unit: Unit  # type: ignore[valid-type]
    qualifier: Qualifier  # type: ignore[valid-type]
    kind: ClaimKind  # type: ignore[valid-type]


class AttributedStance(Span):
    """Evidence span for a stance held by someone in the text; the holder is a `holds` relation."""

    target: StanceTarget  # type: ignore[valid-type]
    polarity: Polarity  # type: ignore[valid-type]


class StanceJudgement(Strict):
    """The document's stance toward one target, judged over the whole text."""

    target: StanceTarget  # type: ignore[valid-type]
    label: StanceLabel  # type: ignore[valid-type]


class Relation(Strict):
    """claimed_by: claim -> entity. holds: entity -> stance span."""

    type: RelationType  # type: ignore[valid-type]
    from_id: Id
    to_id: Id


class SourceField(Strict):
    value: str | None = None
    how: Literal["stated", "inferred", "given", "unknown"] = Field(
        description="stated in the text / inferred from the text / given by the maintainer who added it / unknown"
    )


class Redistribution(Strict):
    """May the article text be redistributed? Unknown (value omitted) counts as not allowed."""

    value: Literal["allowed", "not allowed"] | None = None
    how: Literal["stated", "inferred", "given", "unknown"] = Field(
        description="stated in the text / inferred from the text / given by a maintainer (e.g. a licence obtained) / "
                    "unknown"
    )

    @model_validator(mode="after")
    def _value_iff_known(self) -> Redistribution:
        if (self.value is None) != (self.how == "unknown"):
            raise ValueError("value is required when how is stated or inferred, and must be omitted when unknown")
        return self

    @property
    def allowed(self) -> bool:
        return self.value == "allowed"


class Source(Strict):
    """Where a seed came from, and how each fact about it is known."""

    outlet: SourceField
    language: SourceField
    url: SourceField
    date: SourceField
    license_note: str = ""
    near_duplicate_of: str | None = Field(
        default=None, description="doc_id of an earlier seed this one re-tells (added with --allow-near-duplicate)")
    title: str | None = Field(
        default=None, min_length=1,
        description="The headline given with `corpus add --title`; it is the document's title instead of the line "
                    "cleaning found (a copy without a headline has none)")
    redistribution: Redistribution = Field(default_factory=lambda: Redistribution(how="unknown"))
    added: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                              description="UTC day `corpus add` stored the seed (None: added before it recorded this).")
    added_from: str | None = Field(default=None, description="File name the seed was added from.")


class Removal(Strict):
    """One span of raw text dropped by cleaning, with the rule that dropped it (raw byte offsets)."""

    raw_start: Offset
    raw_end: Offset
    rule: str = Field(min_length=1)
    text: str


class OffsetSegment(Strict):
    """Clean chars [clean_start, clean_start+clean_len) came from raw bytes [raw_start, raw_start+raw_len)."""

    clean_start: Offset
    clean_len: Offset
    raw_start: Offset
    raw_len: Offset


class Document(Strict):
    """A cleaned article. `text` starts with the title (and subtitle), so titles are annotated like the body."""

    doc_id: Id
    title: str
    subtitle: str | None = None
    text: str
    language: Literal["en", "es"]
    source: Source | None = None
    raw_path: str = ""
    raw_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    removed: list[Removal] = Field(default_factory=list)
    offset_map: list[OffsetSegment] = Field(default_factory=list)


class Layers(Strict):
    """The annotation layers of one document, shared by an annotator's set and the gold."""

    entities: list[EntityMention] = Field(default_factory=list)
    claims: list[NumericClaim] = Field(default_factory=list)
    stance: list[StanceJudgement] = Field(default_factory=list)
    attributed: list[AttributedStance] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)


class AnnotationSet(Layers):
    """One annotator's labels on one document, traceable to the Label Studio export they came from."""

    doc_id: Id
    annotator: str = Field(min_length=1, description="Label Studio account e-mail of the annotator.")
    source_export: str = Field(description="File name under annotations/ the set was converted from.")
    task_id: int | None = None
    annotation_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    lead_time: float | None = None
    guidelines_version: str | None = None
    prediction_model_version: str | None = None


class GoldDocument(Layers):
    """The adjudicated labels of one document, plus where they came from."""

    doc_id: Id
    annotators: list[str] = Field(default_factory=list)
    source_exports: list[str] = Field(default_factory=list)
    adjudication: str = Field(default="", description="File holding the adjudication decisions applied.")
    guidelines_version: str | None = None
    passes: int | None = Field(default=None, ge=1, description="Annotation passes the gold was derived from.")
    adjudicated: bool | None = Field(default=None, description="True: the passes were compared and every "
                                     "disagreement decided; False: a single pass taken as it is (pass policy).")


class PassPolicy(Strict):
    """annotations/pass-policy.json: how many independent passes a document needs before its gold is derived."""

    passes_required: int = Field(default=2, ge=1, le=20, description="Passes every document needs (default 2).")
    documents: dict[str, Annotated[int, Field(ge=1, le=20)]] = Field(
        default_factory=dict, description="Per-document exceptions: doc_id -> passes required.")


Variant = Literal["full", "standoff"]


class ReleaseFile(Strict):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: Offset


class ReleaseManifest(Strict):
    """What a release folder holds; the release date lives here only, never in the data files."""

    name: str = Field(min_length=1, description="The dataset id: the corpus's name in its corpus.toml.")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$",
                         description="X.Y.Z for releases; dev builds carry a tag: 0.0.0-dev.")
    released: str | None = Field(default=None, description="ISO date of the release; None for unreleased builds.")
    schema_version: str = SCHEMA_VERSION
    taxonomy_version: str = tx.TAXONOMY_VERSION
    guidelines_version: str | None = None
    documents: int = 0
    counts: dict[str, int] = Field(default_factory=dict)
    configs: list[str] = Field(default_factory=list)
    agreement: dict[str, float] = Field(default_factory=dict,
                                        description="Headline inter-annotator agreement at build time.")
    files: list[ReleaseFile] = Field(default_factory=list)
    variant: Variant = Field(
        default="full", description="full: with the article texts; standoff: offsets and fingerprints only.")
    left_out: dict[str, str] = Field(default_factory=dict, description="Documents of the repository left out of "
                                     "this build, each with why (e.g. '1 of 2 passes': its gold is not complete).")
    facts: dict[str, str] = Field(default_factory=dict, description="What every document of the release states "
                                  "identically (annotator kind, licence, guidelines version, counts, agreement); "
                                  "`corpus verify` compares the card, croissant.json and DATASHEET.md with it.")


# ---- provenance: how every annotation set and every adjudication decision was made ------------------------
NOT_RECORDED = "not recorded"
AgentKind = Literal["human", "human_with_suggestions", "ai_agent"]


class Agent(Strict):
    """Who or what made annotations or decisions. Unknowns are written as "not recorded", never guessed."""

    kind: AgentKind = Field(description="human (no suggestions) / human_with_suggestions / ai_agent")
    model: str = Field(min_length=1, description="For ai_agent: the model that acted (name, maker, version), or "
                       "'not recorded'. For humans: 'not applicable'.")
    description: str = Field(min_length=1, description="One plain sentence on who or what this was.")


class AnnotationPass(Strict):
    """One annotator account's pass: how every annotation set it made (one per document) came about."""

    annotator: str = Field(min_length=1, description="Label Studio account as in the exports (completed_by e-mail).")
    exports: list[str] = Field(min_length=1, description="Export files under annotations/ holding this pass.")
    agent: Agent
    suggestions_shown: bool = Field(description="Whether machine suggestions (Label Studio predictions) were "
                                    "available to the annotator on each task.")
    suggestion_model_versions: list[str] = Field(default_factory=list, description="model_version of every "
                                                 "prediction the pass's tasks carried (checked against the exports).")
    guidelines_version: str = Field(min_length=1, description="Guidelines version in force (the tasks' "
                                    "data.guidelines_version; checked against the exports).")
    tool: str = "Label Studio"
    tool_version: str = Field(min_length=1)
    access: str = Field(min_length=1, description="How the tool was operated: web interface or API.")
    saw_other_passes: bool = Field(description="Whether the annotator could see another pass's labels.")
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$", description="UTC day of the pass, or "
                      "first/last day (ISO 8601 interval) of a pass over several days (checked against the "
                      "annotations' created_at).")


class AccountDescription(Strict):
    """An annotator account described once (`corpus provenance describe`): every pass it makes in a later pull is
    derived from the exports (dates, guidelines, suggestion models) and this description (who or what it is)."""

    account: str = Field(min_length=1, description="Label Studio account as in the exports (completed_by e-mail).")
    agent: Agent
    access: str = Field(min_length=1, description="How the tool was operated: web interface or API.")
    saw_other_passes: bool = Field(description="Whether the annotator could see another pass's labels.")
    tool: str = "Label Studio"
    tool_version: str = Field(min_length=1, description="Label Studio version the account annotated with.")
    described: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="UTC day the description was recorded.")


class Adjudicator(Strict):
    """Who or what made adjudication decisions, under which guidelines version."""

    id: str = Field(min_length=1, description="Referenced by a decision's `by` in annotations/adjudication.json.")
    agent: Agent
    guidelines_version: str = Field(min_length=1)
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    scope: str = Field(min_length=1, description="What this adjudicator decided (disagreements, a gold review).")


class Licence(Strict):
    """The one licence statement the card, croissant.json and the datasheet all render."""

    card_id: str = Field(min_length=1, description="The card's YAML `license` (Hub licence id).")
    name: str = Field(min_length=1, description="The card's YAML `license_name` (for `other`).")
    annotations: str = Field(min_length=1, description="SPDX id of the licence of the annotations.")
    annotations_url: str = Field(min_length=1)
    texts: str = Field(min_length=1, description="What applies to the article texts.")


class Provenance(Strict):
    """annotations/provenance.json: the single record every release document is rendered from."""

    dataset: str = Field(min_length=1)
    maintainers: str = Field(min_length=1, description="Author for citations: an organisation name, no invented "
                             "people.")
    repository_url: str | None = Field(default=None, description="Public URL of the source repository; None "
                                       "while it has none.")
    hub_repo: str | None = Field(default=None, pattern=r"^[\w.-]+/[\w.-]+$", description="Hugging Face Hub repo "
                                 "id once published (set before building the release to publish); None before.")
    licence: Licence
    collection: str = Field(min_length=1, description="How the raw texts were obtained, as far as it is known.")
    annotation_passes: list[AnnotationPass] = Field(default_factory=list, description="Passes recorded one by "
                                                    "one; passes of described accounts are derived.")
    accounts: list[AccountDescription] = Field(default_factory=list, description="Annotator accounts described "
                                               "once; their passes are derived from the exports.")
    adjudicators: list[Adjudicator] = Field(default_factory=list)
    maintenance: str = Field(min_length=1)


AnyLabel = _vocab("label", tx.ENTITY_LABELS + tx.STANCE_LABEL_NAMES)
Position = Annotated[list[Offset], Field(min_length=2, max_length=2)]


class DecisionContent(Strict):
    """What a decision's `set` may give: fields of one item, merged over the taken annotator's item.

    Which fields belong to which layer (and that the merged item is complete) is checked by `corpus adjudicate`
    and `corpus validate`, as the key names the layer.
    """

    start: Offset = 0
    end: Offset = 0
    text: str = ""
    label: AnyLabel = ""  # type: ignore[valid-type]
    value: FiniteFloat = 0.0
    value_max: FiniteFloat | None = None
    unit: Unit = ""  # type: ignore[valid-type]
    qualifier: Qualifier = ""  # type: ignore[valid-type]
    kind: ClaimKind = ""  # type: ignore[valid-type]
    target: StanceTarget = ""  # type: ignore[valid-type]
    polarity: Polarity = ""  # type: ignore[valid-type]
    claimant: Position | None = Field(default=None, description="[start, end] of the claimant entity, or null.")
    holder: Position | None = Field(default=None, description="[start, end] of the holder entity, or null.")


class Decision(Strict):
    """One adjudication decision on one disagreement (see corpus.gold.adjudicate)."""

    doc_id: Id
    key: str = Field(pattern=r"^(entities|claims|attributed)@\d+-\d+|^stance@",
                     description="The disagreement's item key, e.g. entities@12-18 or stance@maduro_government.")
    take: str | None = Field(description="The annotator whose item is taken, or null (drop, or build from `set`).")
    set: DecisionContent | None = None
    reason: str = Field(min_length=1)
    review: bool = Field(default=False, description="A review of items the passes agreed on or both missed.")
    by: str | None = Field(default=None, min_length=1, description="Who decided (an adjudicator of "
                           "annotations/provenance.json); default: the file's `by`.")
    guidelines_version: str | None = Field(default=None, min_length=1,
                                           description="Default: the file's guidelines_version.")
    versions: dict[str, dict[str, object] | None] | None = Field(
        default=None, description="Each annotator's item, as adjudication.todo.json lists them (informative).")


class Adjudication(Strict):
    """annotations/adjudication.json: the recorded decisions the gold is derived from."""

    adjudicator: str | None = None
    by: str | None = None
    guidelines_version: str | None = None
    note: str | None = None
    decisions: list[Decision]


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "adjudication": Adjudication,
    "document": Document,
    "annotation_set": AnnotationSet,
    "gold_document": GoldDocument,
    "pass_policy": PassPolicy,
    "provenance": Provenance,
    "release_manifest": ReleaseManifest,
    "source": Source,
    "taxonomy": TaxonomyFile,
}
