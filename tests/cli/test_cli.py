"""The CLI through Click's runner, on a real SQLite database with the bundled data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from calendar_app.cli import cli
from tests.support.data_files import TEST_DATA_FILE
from tests.support.factories import dump, minimal_document


def test_occurrences_json_for_a_range_crossing_years(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        cli, ["occurrences", "--from", "2026-09-01", "--to", "2027-03-31", "--lang", "en", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["date"], r["slug"], r["anniversary"]) for r in rows] == [
        ("2026-09-27", "september-27", 6),
        ("2027-01-20", "january-20", 37),
        ("2027-02-26", "february-26", 35),
        ("2027-03-31", "march-31", 109),
    ]
    january = rows[1]
    assert january["anniversary_label"] == "37th anniversary"
    assert january["title"] == "37th anniversary of the 20 January tragedy — National Mourning Day"
    assert january["is_jubilee"] is False and rows[2]["is_jubilee"] is True
    for row in rows:
        assert {"date", "slug", "anniversary", "anniversary_label", "title", "is_jubilee"} <= set(
            row
        )


@pytest.mark.parametrize(
    ("lang", "label", "title_start"),
    [
        ("az", "37-ci ildönümü", "20 Yanvar faciəsinin 37-ci ildönümü\u00a0— Ümumxalq Hüzn Günü"),
        (
            "ru",
            "37-я годовщина",
            "37-я годовщина трагедии 20 января\u00a0— День всенародной скорби",
        ),
    ],
)
def test_occurrences_in_azerbaijani_and_russian(
    runner: FlaskCliRunner, lang: str, label: str, title_start: str
) -> None:
    result = runner.invoke(
        cli, ["occurrences", "--from", "2027-01-20", "--to", "2027-01-20", "--lang", lang, "--json"]
    )
    (row,) = json.loads(result.output)
    assert row["anniversary_label"] == label
    assert row["title"] == title_start


def test_upcoming_prints_a_table_with_azerbaijani_ordinals(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["upcoming", "--lang", "az", "--today", "2026-11-22"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("20 yanvar 2027, çərşənbə")
    assert "+59d" in lines[0] and "20 Yanvar faciəsinin 37-ci ildönümü" in lines[0]
    assert "Xocalı soyqırımının 35-ci ildönümü" in lines[1] and "★" in lines[1]
    assert "109-cu ildönümü" in lines[2]
    assert "7-ci ildönümü" in lines[3]


def test_upcoming_with_a_short_window(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["upcoming", "--days", "10", "--today", "2026-11-22"])
    assert result.exit_code == 0
    assert result.output.strip() == "no observance in the next 10 days"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["occurrences", "--from", "2027-13-01", "--to", "2027-12-31"], "is not a date"),
        (["occurrences", "--from", "2027-02-01", "--to", "2027-01-01"], "is before --from"),
        (["occurrences", "--from", "2027-01-01"], "Missing option '--to'"),
        (["occurrences", "--from", "x", "--to", "y", "--lang", "de"], "'x' is not a date"),
        (["occurrences", "--from", "2027-01-01", "--to", "2027-02-01", "--lang", "de"],
         "'de' is not one of"),
        (["upcoming", "--days", "0"], "0 is not in the range"),
        (["upcoming", "--days", "many"], "'many' is not a valid integer"),
        (["data", "check"], "Missing argument 'FILE'"),
        (["serve", "--port", "99999"], "99999 is not in the range"),
        (["nonsense"], "No such command 'nonsense'"),
    ],
)  # fmt: skip
def test_bad_arguments_give_one_clear_error(
    runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_data_check_accepts_a_valid_file_and_writes_nothing(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["data", "check", str(TEST_DATA_FILE)])
    assert result.exit_code == 0
    assert "ok: 4 days" in result.output


def test_data_check_names_file_key_and_reason(runner: FlaskCliRunner, tmp_path: Path) -> None:
    document = minimal_document()
    del document["days"][0]["facts"][0]["sources"]
    bad = tmp_path / "days.toml"
    bad.write_text(dump(document), encoding="utf-8")
    result = runner.invoke(cli, ["data", "check", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {bad}: days[january-20].facts[january-20-killed-a].sources: "
        "every record must cite at least one source"
    )


def test_data_check_of_a_missing_or_binary_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["data", "check", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1 and "file not found" in result.output
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    result = runner.invoke(cli, ["data", "check", str(binary)])
    assert result.exit_code == 1 and "not UTF-8" in result.output


def test_data_load_reports_what_changed(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["data", "load"])
    assert result.exit_code == 0
    assert "days: 4 unchanged" in result.output and "nothing changed" in result.output


def test_data_export_to_stdout_parses(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["data", "export"])
    assert result.exit_code == 0
    assert result.output.startswith("# Memorial days, exported")
    assert 'id = "january-20"' in result.output
