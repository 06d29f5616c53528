"""The fast path under a migrated taxonomy (a renamed stance target; a target merged into another): exports made
before the change still take it, with exactly the reference path's rows, and a retired target is asked of nobody.

The taxonomy is read once per process, so each case runs in a child process with CORPUS_TAXONOMY set; the tasks
are synthetic exports made under this repository's taxonomy (the one before the change).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fixtures_synth import synth

ROOT = Path(__file__).resolve().parents[2]
RENAME = ("us_policy_toward_venezuela", "us_policy", """
[[migrations]]
version = "1.1.0"
changes = [{ op = "rename", vocabulary = "stance_targets", old = "us_policy_toward_venezuela", new = "us_policy" }]
""")
MERGE = ("russia_venezuela_military_cooperation", "maduro_government", """
[[migrations]]
version = "1.1.0"

[[migrations.changes]]
op = "merge"
vocabulary = "stance_targets"
olds = ["russia_venezuela_military_cooperation"]
new = "maduro_government"
""")
CHILD = """
import json, sys
import orjson
from corpus.scale import columns, fastpath, taskshape
from corpus.scale.stream import process_task
out = []
for task in json.loads(sys.stdin.read()):
    sets, issues = process_task(task, "export.json")
    typed, _ = taskshape.decode_tasks(b"[" + orjson.dumps(task) + b"]")
    got = fastpath.task_records(typed[0], "export.json")
    same = got is not None and sorted(got, key=lambda r: r.key) == columns.records_of(sets)
    out.append({"fast": got is not None, "same": same, "issues": sorted({i.rule for i in issues}),
                "targets": sorted({j.target for s in sets for j in s.stance})})
print(json.dumps(out))
"""


def run_migrated(tmp_path: Path, change: tuple[str, str, str], tasks: list[Any]) -> list[dict[str, Any]]:
    old, new, migration = change
    text = (ROOT / "taxonomy.toml").read_text(encoding="utf-8").replace('version = "1.0.0"', 'version = "1.1.0"', 1)
    if change is RENAME:
        text = text.replace(f'name = "{old}"', f'name = "{new}"', 1)
    else:
        text = text.replace(f'name = "{old}"\n', f'name = "{old}"\nretired = "1.1.0"\n', 1)
    (tmp_path / "taxonomy.toml").write_text(text + migration, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CORPUS_ROOT"} | {
        "CORPUS_TAXONOMY": str(tmp_path / "taxonomy.toml")}
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(tasks), cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def without_document_stance(task: dict[str, Any], target: str) -> dict[str, Any]:
    """The task as annotated after `target` was retired: its document-stance question is no longer asked."""
    for annotation in task["annotations"]:
        annotation["result"] = [r for r in annotation["result"] if r.get("from_name") != f"stance_{target}"]
    return task


@pytest.mark.parametrize("change", [RENAME, MERGE], ids=["rename", "merge"])
def test_exports_made_before_the_change_keep_the_fast_path(tmp_path: Path, change: tuple[str, str, str]) -> None:
    old, new, _ = change
    tasks = [synth.make_task(i, seed=5) for i in range(30)]
    if change is MERGE:
        tasks = [without_document_stance(t, old) for t in tasks]
    got = run_migrated(tmp_path, change, tasks)
    assert all(g["issues"] == [] for g in got), [g["issues"] for g in got]
    assert all(g["same"] for g in got if g["fast"])
    assert sum(g["fast"] for g in got) >= 15  # the rest use the old name per region too: the reference maps it
    assert all(old not in g["targets"] and new in g["targets"] for g in got)
