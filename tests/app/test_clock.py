"""One notion of time: every edge asks calendar_app.clock, and the database stores UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from calendar_app.cli import cli
from calendar_app.data.models import DataState
from calendar_app.extensions import db

# 01:30 on 20 January in Baku, still 19 January in UTC and in most of the world.
JUST_AFTER_MIDNIGHT_IN_BAKU = dt.datetime(2027, 1, 19, 21, 30, tzinfo=dt.UTC)


def test_upcoming_counts_from_today_in_baku(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["CLOCK"] = lambda: JUST_AFTER_MIDNIGHT_IN_BAKU
    result = runner.invoke(cli, ["upcoming", "--days", "1", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "20 January" in result.output
    assert "+0d" in result.output  # it is the day itself, not tomorrow


def test_an_aware_local_time_is_stored_as_utc(app: Flask) -> None:
    baku_noon = dt.datetime(2027, 1, 20, 12, 0, tzinfo=ZoneInfo("Asia/Baku"))
    with app.app_context():
        state = db.session.get(DataState, 1)
        assert state is not None
        state.changed_dt = baku_noon
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalars(sa.select(DataState.changed_dt)).one()
    assert stored == dt.datetime(2027, 1, 20, 8, 0)  # naive UTC, four hours earlier
