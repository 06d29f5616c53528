"""The annotation guidelines as Label Studio project instructions (HTML shown before labelling and on demand).

Label Studio shows a project's `expert_instruction` (HTML) before the first task when `show_instruction` is on,
and offers it from the labeling view only when it is non-empty. The guidelines in force are docs/guidelines.md;
a short note on using the labeling view comes first, because some of its helpful settings are per browser.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from corpus.labelstudio import config as c

FRONT_MATTER_RE = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)

def view_notes() -> str:
    """How to work in the labeling view of Label Studio 1.23.2: only gestures tests/integration/test_browser.py
    performs (or, for the unit list, what it measured)."""
    labels = ", ".join(f"**{c.key_name(key)}** {name}" for name, key in c.label_hotkeys().items())
    fields = "\n".join(f"  - {name}: {c.field_keys(name)}" for name in c.FIELD_HOTKEYS)
    return f"""\
## Using this labeling view

- **Label first, then select the text**: press a label's key (or click the label), then drag over the words.
  Selecting text first and then clicking a label does not label it in this version of Label Studio.
  Label keys: {labels}.
- Turn on **"Select region after creating it"** once in your browser (the sliders icon below the text opens the
  Labeling Interface Settings): a region you draw is then selected at once and its fields appear on the right.
  Otherwise click the region. **{c.UNSELECT_KEY.upper()}** unselects it, **Backspace** deletes the selected region.
- A selected CLAIM's or STANCE's fields have Shift+letter keys. **No key works while the cursor is in a box**
  (value, value_max): set the choices first, type the number last. Keys never type into a box or change another
  field. Units without a key: click the unit list, then click the unit (do not type while the list is open:
  the keys act on the labels and the region instead).
{fields}
- Relations: with the CLAIM or STANCE selected, click **Create Relation** (the first button in the region's Info
  panel), then click the entity (click again if the first click only clears a text selection). In the **Relations** tab,
  hover the relation, click its labels button and pick its one label, `claimed_by` or `holds`. Label Studio
  accepts a relation without a label; `corpus ls pull` lists it as a problem with a link to the task.
- Suggestions (pre-annotations) are loaded as your starting point: fix or delete every one you disagree with.
- Submit (**Ctrl+Enter**) when the three document stances are chosen; Label Studio names a missing one.
  Problems `corpus ls pull` finds show in the task list's **Problems** tab and in the `corpus_problems` column.
  These instructions stay available from the **Instructions** button at the top.
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
    return md.render(view_notes() + "\n" + guidelines_markdown(root))
