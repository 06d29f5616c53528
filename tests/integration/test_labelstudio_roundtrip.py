"""Against a real Label Studio: project, tasks with predictions, two annotators, snapshot export, convert, replay."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from corpus.core import models
from corpus.core import taxonomy as tx
from corpus.core.errors import UserError
from corpus.gold.convert import convert_export, convert_task
from corpus.labelstudio import client, commands

pytestmark = pytest.mark.labelstudio

SHA = "ab" * 32
ES = "Nicolás Maduro 🇻🇪 denunció que «unos 4.500 marines» llegaron al Caribe. Rusia 😠 respaldó a Caracas."
EN = "The Pentagon said at least 1,200 troops were deployed, while Dmitry Peskov called it a provocation."


@dataclass(frozen=True)
class Prediction:
    """The shape preannotate.suggest returns; a fixed one here so the test knows exactly what was predicted."""

    layers: models.Layers
    scores: dict[str, float] = field(default_factory=dict)
    model_version: str = "test-pre-1"
    score: float = 0.61


def at(text: str, surface: str) -> tuple[int, int, str]:
    start = text.index(surface)
    return start, start + len(surface), surface


def ent(rid: str, text: str, surface: str, label: str) -> models.EntityMention:
    s, e, t = at(text, surface)
    return models.EntityMention(id=rid, start=s, end=e, text=t, label=label)


def docs() -> list[models.Document]:
    return [models.Document(doc_id="es-0001", title="Maduro", text=ES, language="es", raw_sha256=SHA,
                            raw_path="seeds/es-0001.txt"),
            models.Document(doc_id="en-0002", title="Pentagon", text=EN, language="en", raw_sha256=SHA,
                            raw_path="seeds/en-0002.txt")]


def full_es() -> models.Layers:
    s, e, t = at(ES, "unos 4.500 marines")
    ss, se, st = at(ES, "respaldó a Caracas")
    return models.Layers(
        entities=[ent("e1", ES, "Nicolás Maduro", "PER"), ent("e2", ES, "Caribe", "LOC"),
                  ent("e3", ES, "Rusia", "GPE"), ent("e4", ES, "Caracas", "GPE")],
        claims=[models.NumericClaim(id="c1", start=s, end=e, text=t, value=4500, unit="soldier",
                                    qualifier="approximate", kind="count")],
        attributed=[models.AttributedStance(id="s1", start=ss, end=se, text=st, target="maduro_government",
                                            polarity="favor")],
        stance=[models.StanceJudgement(target="maduro_government", label="neutral"),
                models.StanceJudgement(target="russia_venezuela_military_cooperation", label="favor"),
                models.StanceJudgement(target="us_policy_toward_venezuela", label="against")],
        relations=[models.Relation(type="claimed_by", from_id="c1", to_id="e1"),
                   models.Relation(type="holds", from_id="e3", to_id="s1")])


def second_es() -> models.Layers:
    """The second annotator disagrees: a shorter claim span, a range, another stance."""
    s, e, t = at(ES, "4.500 marines")
    return models.Layers(
        entities=[ent("x1", ES, "Nicolás Maduro", "PER"), ent("x2", ES, "Caracas", "GPE")],
        claims=[models.NumericClaim(id="x3", start=s, end=e, text=t, value=4000, value_max=4500.5,
                                    unit="soldier", qualifier="range", kind="count")],
        stance=[models.StanceJudgement(target=t, label="not_addressed") for t in tx.STANCE_TARGET_NAMES],
        relations=[models.Relation(type="claimed_by", from_id="x3", to_id="x2")])


def full_en() -> models.Layers:
    s, e, t = at(EN, "at least 1,200 troops")
    return models.Layers(
        entities=[ent("a", EN, "Pentagon", "ORG"), ent("b", EN, "Dmitry Peskov", "PER")],
        claims=[models.NumericClaim(id="c", start=s, end=e, text=t, value=1200, unit="soldier",
                                    qualifier="at_least", kind="count")],
        stance=[models.StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES],
        relations=[models.Relation(type="claimed_by", from_id="c", to_id="a")])


PREDICTED = {"es-0001": models.Layers(entities=[ent("p1", ES, "Nicolás Maduro", "PER")]),
             "en-0002": models.Layers(entities=[ent("p1", EN, "Pentagon", "ORG")])}


def by_key(sets: list[models.AnnotationSet]) -> dict[tuple[str, str], models.Layers]:
    keys = list(models.Layers.model_fields)
    return {(s.doc_id, s.annotator): models.Layers(**{k: getattr(s, k) for k in keys}) for s in sets}


@pytest.fixture(scope="module")
def annotated(admin: Any, second: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[
        Path, dict[tuple[str, str], models.Layers]]:
    """A project annotated by two users, pulled into a fresh annotations/ folder."""
    title = "roundtrip-test"
    tasks = [client.build_task(d, Prediction(PREDICTED[d.doc_id]), "1.0") for d in docs()]
    pid, created, added = commands.sync_project(admin.ls, title, tasks)
    assert (created, added) == (True, 2)
    assert commands.sync_project(admin.ls, title, tasks)[1:] == (False, 0)  # update: no duplicate tasks
    ids = {t.data["doc_id"]: t.id for t in admin.ls.tasks.list(project=pid)}
    plan = {("es-0001", admin.email): full_es(), ("en-0002", admin.email): full_en(),
            ("es-0001", second.email): second_es()}
    users = {admin.email: admin, second.email: second}
    for (doc_id, email), layers in plan.items():
        client.annotate(users[email].ls, ids[doc_id], layers, lead_time=7.5)
    root = tmp_path_factory.mktemp("repo")
    return commands.pull(admin.ls, title, root), plan


def test_roundtrip_two_annotators(annotated: tuple[Path, dict[tuple[str, str], models.Layers]],
                                  second: Any) -> None:
    path, plan = annotated
    assert path.parent.name == "annotations" and path.name.startswith("export-roundtrip-test-")
    sets, issues = convert_export(path)
    assert issues == []
    assert by_key(sets) == plan
    for s in sets:
        assert (s.source_export, s.guidelines_version, s.lead_time, s.prediction_model_version) == (
            path.name, "1.0", 7.5, client.MODEL_VERSION)
    assert {s.annotator for s in sets} == {second.email, sets[0].annotator} and len(set(by_key(sets))) == 3


def test_export_is_stored_verbatim_with_full_predictions(
        annotated: tuple[Path, dict[tuple[str, str], models.Layers]], admin: Any) -> None:
    path, _ = annotated
    pid = client.find_project(admin.ls, "roundtrip-test")
    assert pid is not None
    (export,) = [e for e in admin.ls.projects.exports.list(id=pid) if e.title == path.stem]
    assert path.read_bytes() == b"".join(admin.ls.projects.exports.download(id=pid, export_pk=export.id,
                                                                            export_type="JSON"))
    tasks = orjson.loads(path.read_bytes())
    for task in tasks:
        (pred,) = task["predictions"]
        # one project model version for every task, so the label stream prelabels all of them
        assert (pred["model_version"], pred["score"]) == (client.MODEL_VERSION, 0.61)
        as_annotation = {"id": task["id"], "data": task["data"],
                         "annotations": [{"id": 0, "completed_by": 0, "result": pred["result"]}]}
        (converted,), problems = convert_task(as_annotation, path.name)
        assert problems == [] and by_key([converted])[(task["data"]["doc_id"], "user-0")] == PREDICTED[
            task["data"]["doc_id"]]
        assert task["meta"] == {"doc_id": task["data"]["doc_id"], "raw_sha256": SHA,
                                "source_file": f"seeds/{task['data']['doc_id']}.txt", "suggested_by": "test-pre-1"}


def test_pull_never_overwrites(annotated: tuple[Path, dict[tuple[str, str], models.Layers]],
                               admin: Any) -> None:
    path, _ = annotated
    stamp = datetime.strptime(path.stem.rsplit("-", 1)[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    before = path.read_bytes()
    with pytest.raises(UserError, match="never overwritten"):
        commands.pull(admin.ls, "roundtrip-test", path.parents[1], now=stamp)
    assert path.read_bytes() == before


def test_replay_into_a_fresh_project(annotated: tuple[Path, dict[tuple[str, str], models.Layers]],
                                     admin: Any, tmp_path: Path) -> None:
    path, plan = annotated
    _pid, n = commands.replay(admin.ls, path, "replay-test")
    assert n == 2
    with pytest.raises(UserError, match="fresh"):
        commands.replay(admin.ls, path, "replay-test")
    replayed = commands.pull(admin.ls, "replay-test", tmp_path)
    sets, issues = convert_export(replayed)
    assert issues == []
    assert by_key(sets) == plan
    tasks = orjson.loads(replayed.read_bytes())
    assert sorted(p["model_version"] for t in tasks for p in t["predictions"]) == [client.MODEL_VERSION] * 2
    stranger = tmp_path / "stranger.json"
    stranger.write_bytes(path.read_bytes().replace(b"second.annotator@example.com", b"nobody@example.com"))
    with pytest.raises(UserError, match=r"nobody@example\.com"):
        commands.replay(admin.ls, stranger, "replay-stranger")
    assert client.find_project(admin.ls, "replay-stranger") is None


def test_push_and_pull_commands_with_real_documents(ls_server: Any, admin: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus.ingest.clean import load_documents

    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.token)
    commands.cli_push(project="push-test")
    pid = client.find_project(admin.ls, "push-test")
    assert pid is not None
    expected = {d.doc_id: d for d in load_documents()}
    tasks = list(admin.ls.tasks.list(project=pid, fields="all"))
    assert {t.data["doc_id"]: t.data["text"] for t in tasks} == {k: d.text for k, d in expected.items()}
    commands.cli_pull(project="push-test", root=tmp_path)
    (stored,) = (tmp_path / "annotations").glob("export-push-test-*.json")
    assert [t["data"]["raw_sha256"] for t in orjson.loads(stored.read_bytes())] == [
        expected[t.data["doc_id"]].raw_sha256 for t in tasks]
    monkeypatch.delenv("LABEL_STUDIO_API_KEY")
    with pytest.raises(UserError, match="LABEL_STUDIO_API_KEY"):
        commands.cli_pull(project="push-test", root=tmp_path)
