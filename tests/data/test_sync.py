"""Loading the data file into a real database: idempotent, all-or-nothing, round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from calendar_app.cli import cli
from calendar_app.data.dataset import parse_dataset
from calendar_app.data.models import DataState, Fact, MemorialDay, Source
from calendar_app.data.prepare import load_dataset, read_dataset
from calendar_app.data.sync import dataset_from_database
from calendar_app.extensions import db
from calendar_app.resources import resource_dir
from tests.support.data_files import TEST_DATA_FILE
from tests.support.factories import dump, minimal_document

T0 = dt.datetime(2026, 1, 1, 12, 0)
T1 = dt.datetime(2026, 2, 1, 12, 0)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for 'nothing changed' comparisons."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return tables


@pytest.fixture
def migrated(any_db_app: Flask) -> Flask:
    with any_db_app.app_context():
        upgrade(directory=str(resource_dir("migrations")))
    return any_db_app


def test_loading_twice_changes_nothing(migrated: Flask) -> None:
    dataset = read_dataset(TEST_DATA_FILE)
    with migrated.app_context():
        first = load_dataset(dataset, now=T0)
        assert first.changed
        before = snapshot()
        second = load_dataset(dataset, now=T1)
        assert not second.changed
        assert "nothing changed" in second.lines()
        assert snapshot() == before
        state = db.session.get(DataState, 1)
        assert state is not None and state.changed_dt == T0


def test_changes_are_applied_in_place_and_removals_reported(migrated: Flask) -> None:
    document = minimal_document()
    with migrated.app_context():
        load_dataset(parse_dataset(dump(document), "v1"), now=T0)
        day_id = db.session.scalars(sa.select(MemorialDay.id).filter_by(slug="january-20")).one()
        fact_id = db.session.scalars(sa.select(Fact.id).filter_by(key="january-20-killed-a")).one()

        document["days"][0]["facts"][0]["value"] = 135
        del document["days"][0]["facts"][1]
        del document["days"][1]  # september-27 leaves the file
        document["sources"][1]["title"] = "Document B, corrected"
        report = load_dataset(parse_dataset(dump(document), "v2"), now=T1)

        assert report.counts["facts"]["updated"] == 1
        assert report.counts["facts"]["removed"] == 1
        assert report.counts["days"]["retired"] == 1
        assert report.counts["sources"]["updated"] == 1
        fact = db.session.get(Fact, fact_id)
        assert fact is not None and fact.value == 135 and fact.memorial_day_id == day_id
        retired = db.session.scalars(sa.select(MemorialDay).filter_by(slug="september-27")).one()
        assert retired.is_retired
        state = db.session.get(DataState, 1)
        assert state is not None and state.changed_dt == T1

        document["days"].append(minimal_document()["days"][1])  # it comes back
        report = load_dataset(parse_dataset(dump(document), "v3"), now=T1)
        assert report.counts["days"]["updated"] == 1
        back = db.session.scalars(sa.select(MemorialDay).filter_by(slug="september-27")).one()
        assert back.id == retired.id and not back.is_retired


def test_a_source_no_longer_cited_is_removed(migrated: Flask) -> None:
    document = minimal_document()
    with migrated.app_context():
        load_dataset(parse_dataset(dump(document), "v1"), now=T0)
        del document["sources"][1]
        for day in document["days"]:
            for kind in ("facts", "legal_acts", "moments", "timeline"):
                for record in day.get(kind, []):
                    record["sources"] = ["doc-a"]
        report = load_dataset(parse_dataset(dump(document), "v2"), now=T1)
        assert report.counts["sources"]["removed"] == 1
        assert db.session.scalars(sa.select(Source.key)).all() == ["doc-a"]


def test_export_then_load_is_a_no_op(migrated: Flask, tmp_path: Path) -> None:
    runner = migrated.test_cli_runner()
    with migrated.app_context():
        load_dataset(read_dataset(TEST_DATA_FILE), now=T0)
    out = tmp_path / "exported.toml"
    result = runner.invoke(cli, ["data", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with migrated.app_context():
        before = snapshot()
    result = runner.invoke(cli, ["data", "load", str(out)])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    with migrated.app_context():
        assert snapshot() == before
        assert dataset_from_database(db.session) == parse_dataset(out.read_text("utf-8"), "x")
    second = tmp_path / "again.toml"
    runner.invoke(cli, ["data", "export", "--out", str(second)])
    assert second.read_text("utf-8") == out.read_text("utf-8")


MALFORMED_FILES = {
    "syntax": "schema_version = 1\n[[days]\n",
    "unknown key": dump({**minimal_document(), "colour": "red"}),
    "missing language": dump(
        {**minimal_document(), "days": [{**minimal_document()["days"][0], "name": {"az": "x"}}]}
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_FILES))
def test_a_malformed_file_leaves_the_database_exactly_as_it_was(
    migrated: Flask, tmp_path: Path, case: str
) -> None:
    runner = migrated.test_cli_runner()
    with migrated.app_context():
        load_dataset(read_dataset(TEST_DATA_FILE), now=T0)
        before = snapshot()
    bad = tmp_path / "bad.toml"
    bad.write_text(MALFORMED_FILES[case], encoding="utf-8")
    result = runner.invoke(cli, ["data", "load", str(bad)])
    assert result.exit_code != 0
    assert str(bad) in result.output and "Traceback" not in result.output
    with migrated.app_context():
        assert snapshot() == before


def test_a_failure_midway_rolls_the_whole_load_back(migrated: Flask) -> None:
    """A database error after some rows were written leaves no trace of them."""
    document = minimal_document()
    with migrated.app_context():
        load_dataset(parse_dataset(dump(document), "v1"), now=T0)
        if db.engine.dialect.name == "sqlite":
            refuse = (
                "CREATE TRIGGER refuse_999 BEFORE UPDATE ON facts WHEN NEW.value = 999 "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            refuse = "ALTER TABLE facts ADD CONSTRAINT refuse_999 CHECK (value <> 999)"
        db.session.execute(sa.text(refuse))
        db.session.commit()
        before = snapshot()

        document["sources"].append({**document["sources"][0], "id": "doc-c", "title": "C"})
        document["days"][0]["summary"]["en"] = "A new summary"
        document["days"][0]["facts"][0]["value"] = 999  # the database refuses this one
        with pytest.raises(sa.exc.DBAPIError):
            load_dataset(parse_dataset(dump(document), "v2"), now=T1)
        assert snapshot() == before
