"""The guidelines as Label Studio project instructions."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus.labelstudio import config as c
from corpus.labelstudio.instructions import guidelines_markdown, instructions_html

ROOT = Path(__file__).resolve().parents[2]


def test_guidelines_render_without_front_matter_with_tables_and_view_notes(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    shutil.copy2(ROOT / "docs" / "guidelines.md", tmp_path / "docs")
    md = guidelines_markdown(tmp_path)
    assert not md.startswith("---") and "guidelines_version:" not in md.splitlines()[0]
    html = instructions_html(tmp_path)
    assert html.index("Using this labeling view") < html.index("Annotation guidelines (version")
    assert "<table>" in html and "<td>PER</td>" in html
    assert "Select region after creating it" in html
    assert "Label first, then select the text" in html and "Selecting text first and then clicking" in html
    for name in c.FIELD_HOTKEYS:  # every field key, as the labeling view's headers print them
        assert c.field_keys(name) in html, name


def test_raw_html_in_the_guidelines_is_escaped_and_a_missing_file_gives_only_the_notes(tmp_path: Path) -> None:
    assert guidelines_markdown(tmp_path) == ""
    assert "Using this labeling view" in instructions_html(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guidelines.md").write_text("---\nguidelines_version: \"9\"\n---\n# G\n<script>x</script>\n",
                                                    encoding="utf-8")
    html = instructions_html(tmp_path)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<h1>G</h1>" in html
