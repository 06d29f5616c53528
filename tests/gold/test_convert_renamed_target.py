"""Conversion of an annotation holding a document stance under a target's old name and under its current name.

Label Studio keeps a renamed target's old control, hidden (corpus ls config --push); an annotator who then answers
the current question leaves both in the annotation (measured in chromium: tests/integration/test_taxonomy_push.py).
The current one is their judgement; two judgements under the same name are still a located problem.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = "us_policy_toward_venezuela", "us_policy"
MIGRATION = f"""
[[migrations]]
version = "1.1.0"
changes = [{{ op = "rename", vocabulary = "stance_targets", old = "{OLD}", new = "{NEW}" }}]
"""
CONVERT = """
import json, sys
from corpus.gold.convert import convert_tasks
sets, issues = convert_tasks(json.loads(sys.argv[1]), "export.json")
print(json.dumps({"stance": [{j.target: j.label for j in s.stance} for s in sets],
                  "issues": [[i.region, i.field, i.rule] for i in issues]}))
"""


def stance(target: str, label: str, rid: str) -> dict[str, object]:
    return {"id": rid, "from_name": f"stance_{target}", "to_name": "text", "type": "choices",
            "value": {"choices": [label]}}


MERGED, INTO = "russia_venezuela_military_cooperation", "maduro_government"
MERGE = f"""
[[migrations]]
version = "1.1.0"
changes = [{{ op = "merge", vocabulary = "stance_targets", olds = ["{MERGED}"], new = "{INTO}" }}]
"""


def renamed_taxonomy(tmp_path: Path) -> Path:
    text = (ROOT / "taxonomy.toml").read_text(encoding="utf-8")
    text = text.replace('version = "1.0.0"', 'version = "1.1.0"', 1).replace(f'name = "{OLD}"', f'name = "{NEW}"', 1)
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(text + MIGRATION, encoding="utf-8")
    return taxonomy


def merged_taxonomy(tmp_path: Path) -> Path:
    """russia_venezuela_military_cooperation merged into maduro_government, a target that existed beside it."""
    text = (ROOT / "taxonomy.toml").read_text(encoding="utf-8")
    text = text.replace('version = "1.0.0"', 'version = "1.1.0"', 1)
    text = text.replace(f'name = "{MERGED}"\n', f'name = "{MERGED}"\nretired = "1.1.0"\n', 1)
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(text + MERGE, encoding="utf-8")
    return taxonomy


def convert(tmp_path: Path, results: list[dict[str, object]], merged: bool = False) -> dict[str, list[object]]:
    taxonomy = merged_taxonomy(tmp_path) if merged else renamed_taxonomy(tmp_path)
    task = {"id": 1, "data": {"doc_id": "d1", "text": "Some text."},
            "annotations": [{"id": 7, "completed_by": {"email": "a@example.org"}, "result": results}]}
    env = {k: v for k, v in os.environ.items() if k != "CORPUS_ROOT"} | {"CORPUS_TAXONOMY": str(taxonomy)}
    done = subprocess.run([sys.executable, "-c", CONVERT, json.dumps([task])], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("old_first", [True, False])
def test_the_answer_under_the_current_name_is_the_judgement(tmp_path: Path, old_first: bool) -> None:
    pair = [stance(OLD, "against", "h1"), stance(NEW, "favor", "n1")]
    got = convert(tmp_path, pair if old_first else pair[::-1])
    assert got["stance"] == [{NEW: "favor"}]
    assert got["issues"] == []


def test_the_old_name_alone_converts_to_the_current_one(tmp_path: Path) -> None:
    assert convert(tmp_path, [stance(OLD, "against", "h1")]) == {"stance": [{NEW: "against"}], "issues": []}


@pytest.mark.parametrize("name", [OLD, NEW])
def test_two_answers_under_one_name_are_still_reported(tmp_path: Path, name: str) -> None:
    got = convert(tmp_path, [stance(name, "against", "a1"), stance(name, "favor", "a2")])
    assert got["issues"] == [["a2", f"stance_{name}", "stance.duplicate"]]
    assert got["stance"] == [{NEW: "against"}]


def test_a_merged_target_answered_beside_the_one_it_joined_is_still_reported(tmp_path: Path) -> None:
    """Both targets were shown side by side before the merge: two answers, neither a re-answer of the other."""
    got = convert(tmp_path, [stance(MERGED, "against", "m1"), stance(INTO, "favor", "i1")], merged=True)
    assert got["issues"] == [["i1", f"stance_{INTO}", "stance.duplicate"]]


def test_taxonomy_check_says_which_answer_is_kept(tmp_path: Path) -> None:
    from corpus.core import migrations as mig
    from corpus.core.taxonomy_file import load as load_file
    from corpus.gold.taxcheck import affected

    renamed_taxonomy(tmp_path)
    export = tmp_path / "export.json"
    annotations = [{"id": 7, "result": [stance(OLD, "against", "h1"), stance(NEW, "favor", "n1")]},
                   {"id": 8, "result": [stance(OLD, "against", "h1")]}]
    export.write_text(json.dumps([{"id": 1, "data": {}, "annotations": annotations}]), encoding="utf-8")
    rows, seen = affected(load_file(tmp_path / "taxonomy.toml"), [export])
    assert seen == 6
    assert {(r.annotation, r.value, r.outcome.how, r.outcome.name) for r in rows} == {
        (7, OLD, mig.SUPERSEDED, NEW), (7, "against", mig.SUPERSEDED, NEW), (8, OLD, mig.RENAMED, NEW)}
    assert not any(r.lost for r in rows)
    assert "answers target us_policy under its current name" in next(r for r in rows if r.annotation == 7).line()
