"""`ls config --push` on the real server: a renamed value's annotations follow the rename, the annotators keep
their annotations, and a value no migration maps stops the push with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from corpus.core import models
from corpus.core.errors import InvalidData
from corpus.labelstudio import client
from corpus.labelstudio import config as c
from corpus.labelstudio.config_push import config_values, push_config

TEXT = "Nearly 300 soldiers of the Harbour Guard arrived, the ministry said."
RENAMES = {"units": {"soldier": "troop"}, "stance_labels": {"not_addressed": "not_mentioned"}}


def layers(unit: str) -> models.Layers:
    return models.Layers(
        entities=[models.EntityMention(id="e1", start=27, end=40, text=TEXT[27:40], label="ORG")],
        claims=[models.NumericClaim(id="c1", start=0, end=19, text=TEXT[0:19], value=300, unit=unit,
                             qualifier="approximate", kind="count")],
        stance=[models.StanceJudgement(target=t, label="not_addressed") for t in c.tx.STANCE_TARGET_NAMES],
        relations=[models.Relation(from_id="c1", to_id="e1", type="claimed_by")])


def renamed_config() -> str:
    xml = c.build_config()
    for vocab in RENAMES.values():
        for old, new in vocab.items():
            assert f'value="{old}"' in xml
            xml = xml.replace(f'value="{old}"', f'value="{new}"')
    return xml


def snapshot(ls: Any, pid: int) -> dict[int, tuple[Any, list[dict[str, Any]]]]:
    out = {}
    for task in ls.tasks.list(project=pid, fields="task_only"):
        for ann in ls.annotations.list(id=int(task.id)):
            out[int(ann.id)] = (ann.completed_by, list(ann.result or []))
    return out


@pytest.fixture
def project(admin: Any, second: Any, request: pytest.FixtureRequest) -> int:
    pid, created = client.ensure_project(admin.ls, f"config push {request.node.name[7:40]}", c.build_config())
    assert created
    [tid] = client.import_tasks(admin.ls, pid, [{"data": {"text": TEXT, "doc_id": "push-0001"}}])
    client.annotate(admin.ls, tid, layers("soldier"))
    client.annotate(second.ls, tid, layers("person"))
    return pid


def test_a_rename_moves_every_annotation_to_the_new_name(admin: Any, project: int) -> None:
    before = snapshot(admin.ls, project)
    changes = push_config(admin.ls, project, renamed_config(), RENAMES, "test")
    after = snapshot(admin.ls, project)
    assert admin.ls.projects.get(id=project).label_config.strip() == renamed_config().strip()
    assert after.keys() == before.keys() and len(after) == 2  # no annotation lost or added
    targets = len(c.tx.STANCE_TARGET_NAMES)
    assert sorted((ch.field, ch.old, ch.new) for ch in changes) == sorted(
        [(c.CLAIM_UNIT, "soldier", "troop")] + [(c.doc_stance_name(t), "not_addressed", "not_mentioned")
                                               for t in c.tx.STANCE_TARGET_NAMES] * 2)
    assert len(changes) == 1 + 2 * targets
    for ann, (who, results) in after.items():
        old_who, old_results = before[ann]
        assert who == old_who  # still the annotator's own annotation
        assert len(results) == len(old_results)
        renamed = [r for r, o in zip(results, old_results, strict=True) if r != o]
        for r in renamed:
            assert set(r["value"].get("choices", [])) <= {"troop", "not_mentioned"}
        values = {v for r in results for v in (r.get("value") or {}).get("choices", [])}
        assert "soldier" not in values and "not_addressed" not in values
        assert values <= set().union(*config_values(renamed_config()).values())


def test_a_value_no_migration_maps_stops_the_push(admin: Any, project: int) -> None:
    before = snapshot(admin.ls, project)
    config_before = admin.ls.projects.get(id=project).label_config
    only_units = {"units": RENAMES["units"]}  # not_addressed disappears without a migration
    with pytest.raises(InvalidData) as caught:
        push_config(admin.ls, project, renamed_config(), only_units, "taxonomy.toml")
    issues = caught.value.issues
    assert {i.rule for i in issues} == {"labelstudio.config-push-unmapped"}
    assert {i.field for i in issues} == {c.doc_stance_name(t) for t in c.tx.STANCE_TARGET_NAMES}
    assert all(i.where.startswith("task ") and "/annotation " in i.where for i in issues)
    assert snapshot(admin.ls, project) == before
    assert admin.ls.projects.get(id=project).label_config == config_before
