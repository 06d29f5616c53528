"""What the documents say follows the record: no warning only for independent humans, no URL before publishing."""

from __future__ import annotations

from pathlib import Path

from corpus.core.models import Agent
from corpus.gold.provenance import PROVENANCE, load_provenance
from corpus.release import provenance_text as pt
from corpus.release.provenance_text import ReleaseContext

ROOT = Path(__file__).resolve().parents[2]


def _record() -> pt.Provenance:
    record, issues = load_provenance(ROOT / PROVENANCE)
    assert issues == [] and record is not None
    return record


def test_ai_passes_get_the_warning_and_no_demographics() -> None:
    record = _record()
    text = pt.warning(ReleaseContext(record=record))
    assert text is not None and "not independent human annotators" in text and "same machine suggestions" in text
    assert pt.demographics(record).startswith("Not applicable")
    assert pt.annotator_kinds(record) == "AI agent, model not recorded"
    assert pt.warning(ReleaseContext()) is not None  # no record: never presented as independent humans


def test_independent_humans_get_no_warning_and_unrecorded_demographics() -> None:
    record = _record()
    human = Agent(kind="human", model="not applicable", description="A person.")
    passes = [p.model_copy(update={"agent": human, "suggestions_shown": False, "suggestion_model_versions": []})
              for p in record.annotation_passes]
    humans = record.model_copy(update={"annotation_passes": passes,
                                       "adjudicators": [a.model_copy(update={"agent": human})
                                                        for a in record.adjudicators]})
    assert pt.warning(ReleaseContext(record=humans)) is None
    assert pt.demographics(humans).startswith("Not recorded")


def test_bibtex_names_the_hub_url_only_once_published() -> None:
    record = _record()
    before = pt.bibtex(record, "n", "T", "1.1.0", "2031-05-06")
    assert "howpublished = {not yet published}" in before and "huggingface" not in before
    after = pt.bibtex(record.model_copy(update={"hub_repo": "org/name"}), "n", "T", "1.1.0", "2031-05-06")
    assert "url       = {https://huggingface.co/datasets/org/name}," in after and "year      = {2031}," in after
    assert "author    = {{corpus project maintainers}}," in after
