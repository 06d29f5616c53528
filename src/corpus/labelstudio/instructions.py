"""The annotation guidelines as Label Studio project instructions (HTML shown before labelling and on demand).

Label Studio shows a project's `expert_instruction` (HTML) before the first task when `show_instruction` is on,
and offers it from the labeling view only when it is non-empty. The guidelines in force are docs/guidelines.md;
a short note on using the labeling view comes first, because some of its helpful settings are per browser.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

FRONT_MATTER_RE = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)

VIEW_NOTES = """\
## Using this labeling view

- Text on the left, fields on the right: select text, then click a label or press its key (shown on the label).
  Click a CLAIM or STANCE region to fill its fields beside the text; the document stance is below them.
- Turn on **"Select region after creating it"** once in your browser (the sliders icon below the text opens the
  Labeling Interface Settings): a region you draw is then selected at once and its fields appear on the right.
- Relations: select the first region, press **Alt+R** (or "Create Relation" in the region's Info panel), click
  the second region (click again if the first click only clears a text selection), then in the **Relations** tab
  open the relation's labels (the "..." button) and pick its one label, `claimed_by` or `holds`.
  A relation without a label, or between the wrong kinds of region, is rejected by `corpus validate`.
- Suggestions (pre-annotations) are loaded as your starting point: fix or delete every one you disagree with.
- Submit when the three document stances are chosen; Label Studio names a missing one. These instructions stay
  available from the **Instructions** button at the top.
"""


def guidelines_markdown(root: Path) -> str:
    """docs/guidelines.md without its front matter ('' when the file is missing)."""
    path = root / "docs" / "guidelines.md"
    if not path.is_file():
        return ""
    return FRONT_MATTER_RE.sub("", path.read_text(encoding="utf-8"), count=1)


def instructions_html(root: Path) -> str:
    """The view notes, then the guidelines, as HTML (raw HTML in the Markdown is escaped, tables rendered)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return md.render(VIEW_NOTES + "\n" + guidelines_markdown(root))
