"""CITATION.cff: how to cite the dataset, from the provenance record and the latest release.

Author is the maintainers' organisation name from the record (no invented people); the URL is the Hub dataset
once the record names a published repo id, the source repository's URL if it has one, and absent otherwise.
`corpus release` rewrites the file for the version it cuts.
"""

from __future__ import annotations

from typing import Any

import yaml

from corpus.core import description
from corpus.core.models import Provenance
from corpus.release.provenance_text import hub_url

CITATION = "CITATION.cff"


def render_cff(record: Provenance, version: str, released: str) -> str:
    """The CITATION.cff text (Citation File Format 1.2.0) for one release."""
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": description.active().title,
        "authors": [{"name": record.maintainers}],
        "version": version,
        "date-released": released,
        "abstract": (f"Annotated news corpus. Licence {record.licence.name}: annotations under "
                     f"{record.licence.annotations}. {record.licence.texts}"),
    }
    url = hub_url(record) or record.repository_url
    if url:
        data["url"] = url
    if record.repository_url:
        data["repository-code"] = record.repository_url
    header = "# Written by `corpus release` from annotations/provenance.json; edit the record, not this file.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
