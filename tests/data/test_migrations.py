"""Migrations on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from calendar_app.extensions import db
from calendar_app.resources import resource_dir

MIGRATIONS = str(resource_dir("migrations"))


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_creates_every_model_table_then_downgrade_removes_them(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        assert table_names() == set()
        upgrade(directory=MIGRATIONS)
        assert table_names() == set(db.metadata.tables) | {"alembic_version"}
        downgrade(directory=MIGRATIONS, revision="base")
        assert table_names() == {"alembic_version"}
        upgrade(directory=MIGRATIONS)  # and back up again
        assert set(db.metadata.tables) <= table_names()


def test_models_match_the_migrations(any_db_app: Flask) -> None:
    """Autogenerate against the migrated database finds nothing to add."""
    with any_db_app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []


def test_0010_copies_suppressed_subscribers_to_the_suppression_list(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0009")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO subscribers (id, email, lang, timezone, send_hour, day_slugs, "
                "lead_days, status, created_dt, confirmed_dt, ended_dt) VALUES "
                "(1, 'gone@example.org', 'en', 'Asia/Baku', 9, '[]', '[1]', 'suppressed', "
                "'2026-12-01 10:00:00', '2026-12-01 10:00:00', '2027-01-19 06:00:00'), "
                "(2, 'fine@example.org', 'en', 'Asia/Baku', 9, '[]', '[1]', 'active', "
                "'2026-12-01 10:00:00', '2026-12-01 10:00:00', NULL)"
            ))  # fmt: skip
            connection.execute(sa.text(
                "INSERT INTO mail_events (kind, subscriber_id, token, detail, received_dt) "
                "VALUES ('complaint', 1, NULL, 'abuse', '2027-01-19 06:00:00')"
            ))  # fmt: skip
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT email, reason FROM suppressions")).all()
        assert [tuple(r) for r in rows] == [("gone@example.org", "complaint")]
        downgrade(directory=MIGRATIONS, revision="0009")
        with db.engine.connect() as connection:
            status = connection.execute(sa.text("SELECT status FROM subscribers WHERE id = 1"))
            assert status.scalar() == "suppressed"
