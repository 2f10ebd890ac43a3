"""`calendar-app remembrance dates`: the customary days and titles, as text and JSON."""

from __future__ import annotations

import datetime as dt
import json

from flask.testing import FlaskCliRunner

from calendar_app.cli import cli


def dates(runner: FlaskCliRunner, *args: str) -> dict[str, object]:
    result = runner.invoke(cli, ["remembrance", "dates", *args, "--json"])
    assert result.exit_code == 0, result.output
    payload: dict[str, object] = json.loads(result.output)
    return payload


def test_a_29_february_death_in_azerbaijani(runner: FlaskCliRunner) -> None:
    payload = dates(runner, "--died", "2024-02-29", "--name", "Anar", "--lang", "az",
                    "--to", "2028-12-31")  # fmt: skip
    assert payload["counting"] == "death-day"
    assert payload["counting_label"] == "vəfat günü birinci gün sayılır"
    rows = [(r["date"], r["title"]) for r in payload["dates"]]  # type: ignore[attr-defined]
    assert rows == [
        ("2024-03-02", "Anarın vəfatının 3-cü günü"),
        ("2024-03-06", "Anarın vəfatının 7-ci günü"),
        ("2024-04-08", "Anarın vəfatının 40-cı günü"),
        ("2025-02-28", "Anarın vəfatının 1-ci ildönümü"),
        ("2026-02-28", "Anarın vəfatının 2-ci ildönümü"),
        ("2027-02-28", "Anarın vəfatının 3-cü ildönümü"),
        ("2028-02-29", "Anarın vəfatının 4-cü ildönümü"),
    ]


def test_a_death_at_the_year_end_counted_from_the_next_day(runner: FlaskCliRunner) -> None:
    payload = dates(runner, "--died", "2025-12-30", "--counting", "day-after", "--lang", "ru",
                    "--thursdays", "--to", "2026-02-28")  # fmt: skip
    rows = [(r["date"], r["occasion"], r["title"]) for r in payload["dates"]]  # type: ignore[attr-defined]
    assert rows[0] == ("2026-01-01", "thursday-1", "1-й четверг после смерти")
    assert ("2026-01-02", "day-3", "3-й день со дня смерти") in rows
    assert ("2026-02-08", "day-40", "40-й день со дня смерти") in rows
    assert [r[1] for r in rows if r[1].startswith("thursday")] == [
        f"thursday-{n}" for n in range(1, 7)
    ]  # 1, 8, 15, 22 and 29 January; 5 February; the 40th day is Sunday 8 February
    assert payload["counting_label"] == "первым днём считается день после смерти"


def test_english_text_output_by_default_ten_years(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["remembrance", "dates", "--died", "1990-01-20", "--lang", "en",
                                 "--name", "Anar"])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "# the day of death is day 1"
    assert lines[-1] == "2000-01-20  year-10      10th anniversary of the death of Anar"
    assert "1990-02-28  day-40       40th day after the death of Anar" in lines


def test_bad_input_names_the_problem(runner: FlaskCliRunner) -> None:
    cases = [
        (["--died", "2025-02-30"], "--died"),
        (["--died", "2025-01-01", "--counting", "lunar"], "--counting"),
        (["--died", "2025-01-01", "--from", "2026-01-01", "--to", "2025-06-01"], "--to"),
        (["--died", "2025-01-01", "--name", "   "], "--name"),
        (["--died", "9999-12-30"], "--died"),
        (["--died", "2025-01-01", "--lang", "fr"], "--lang"),
    ]
    for args, option in cases:
        result = runner.invoke(cli, ["remembrance", "dates", *args])
        assert result.exit_code == 2, (args, result.output)
        assert option in result.output and "Traceback" not in result.output


def test_a_death_in_the_future_or_before_1900_is_refused_as_the_form_does(
    runner: FlaskCliRunner,
) -> None:
    runner.app.config["CLOCK"] = lambda: dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
    cases = [
        ("2026-12-08", "in the future"),
        ("2030-01-01", "in the future"),
        ("1899-12-31", "1900 or later"),
        ("1850-03-01", "1900 or later"),
    ]
    for died, message in cases:
        result = runner.invoke(cli, ["remembrance", "dates", "--died", died])
        assert result.exit_code == 2, (died, result.output)
        assert message in result.output and "Traceback" not in result.output
    assert dates(runner, "--died", "2026-12-07")["died"] == "2026-12-07"  # today is allowed
    assert dates(runner, "--died", "1900-01-01")["died"] == "1900-01-01"


def test_a_name_with_control_characters_is_told_so_not_its_length(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        cli, ["remembrance", "dates", "--died", "2025-01-01", "--name", "An\x07ar"]
    )
    assert result.exit_code == 2
    assert "control characters" in result.output and "120" not in result.output
