"""`calendar-app feed export --out DIR`: the served feeds as files, byte for byte."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from calendar_app.cli import cli
from tests.support.feed import byte_problems, structure_problems

SLUGS = ("january-20", "february-26", "march-31", "september-27")


def test_export_writes_every_feed_as_served(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = runner.invoke(cli, ["feed", "export", "--out", str(out), "--year", "2027"])
    assert result.exit_code == 0, result.output
    expected = {Path("calendar.ics"), *(Path("days") / f"{s}.ics" for s in SLUGS)}
    for lang in ("az", "en", "ru"):
        expected |= {
            Path(lang) / "calendar.ics",
            *(Path(lang) / "days" / f"{s}.ics" for s in SLUGS),
        }
    written = {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    assert written == expected
    assert f"wrote {len(expected)} files to {out}" in result.output

    app.config["CLOCK"] = lambda: dt.datetime(2027, 7, 1, tzinfo=dt.UTC)
    client = app.test_client()
    for path in sorted(expected):
        body = (out / path).read_bytes()
        assert byte_problems(body) == [] and structure_problems(body) == [], path
        lang = (
            path.parts[0] if len(path.parts) > 1 and path.parts[0] in ("az", "en", "ru") else None
        )
        url = "/" + "/".join(path.parts[1:] if lang else path.parts)
        served = client.get(url + (f"?lang={lang}" if lang else ""))
        assert served.status_code == 200
        assert served.get_data() == body, path
    assert (out / "calendar.ics").read_bytes() == (out / "az" / "calendar.ics").read_bytes()


def test_export_is_repeatable(runner: FlaskCliRunner, tmp_path: Path) -> None:
    args = ["feed", "export", "--out", str(tmp_path / "x"), "--year", "2030"]
    assert runner.invoke(cli, args).exit_code == 0
    first = (tmp_path / "x" / "en" / "calendar.ics").read_bytes()
    assert runner.invoke(cli, args).exit_code == 0
    assert (tmp_path / "x" / "en" / "calendar.ics").read_bytes() == first
    assert b"january-20-2030@" in first
    assert not list((tmp_path / "x").rglob("*.partial"))


def test_export_without_data_explains_itself(empty_app: Flask, tmp_path: Path) -> None:
    from flask_migrate import upgrade

    from calendar_app.resources import resource_dir

    with empty_app.app_context():
        upgrade(directory=str(resource_dir("migrations")))
    result = empty_app.test_cli_runner().invoke(
        cli, ["feed", "export", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code != 0
    assert "no data has been loaded; run `calendar-app data load` first" in result.output
