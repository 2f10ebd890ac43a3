"""suppressions of their own, unsubscribe-only links, expiring manage links, superseded reminders

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00

- ``suppressions``: one row per address that refused mail (hard bounce, soft
  bounces, complaint, refusal at SMTP time), independent of subscriber rows,
  which a new sign-up replaces and the housekeeping forgets. Every subscriber
  suppressed so far is copied in, with the last event that explains it.
- ``access_tokens.purpose`` takes 'unsubscribe' (the List-Unsubscribe link, which
  can only unsubscribe) and is widened for it; ``expires_dt`` is indexed for the
  pruning, and every manage link but the newest of each address expires 90 days
  after this migration.
- ``reminders.status`` takes 'superseded'.

SQLite rebuilds the tables in batch mode: the reminders' partial indexes are
dropped first and created again after, so that they keep their WHERE clause,
and the CHECK constraints (which SQLite's batch copy leaves out) are written
again.
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

DUE = sa.text("status IN ('pending', 'sending')")
REMEMBERED = sa.text("remembered_id IS NOT NULL")
REMINDER_STATUS_BEFORE = "status IN ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled')"
REMINDER_STATUS_AFTER = (
    "status IN ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled', 'superseded')"
)
PURPOSE_BEFORE = "purpose IN ('confirm', 'manage', 'remember')"
PURPOSE_AFTER = "purpose IN ('confirm', 'manage', 'remember', 'unsubscribe')"
REASON = "reason IN ('hard-bounce', 'soft-bounces', 'complaint', 'rejected', 'earlier')"
MANAGE_LINK_DAYS = 90

# the last event that explains each suppressed subscriber ('earlier' when none does)
COPY_SUPPRESSED = """
INSERT INTO suppressions (email, reason, detail, created_dt)
SELECT lower(s.email),
       COALESCE((SELECT CASE e.kind WHEN 'soft-bounce' THEN 'soft-bounces' ELSE e.kind END
                 FROM mail_events AS e
                 WHERE e.subscriber_id = s.id
                   AND e.kind IN ('hard-bounce', 'soft-bounce', 'complaint', 'rejected')
                 ORDER BY e.received_dt DESC, e.id DESC LIMIT 1), 'earlier'),
       'suppressed before migration 0010',
       COALESCE(s.ended_dt, s.created_dt)
FROM subscribers AS s
WHERE s.status = 'suppressed'
"""

AGE_OLDER_MANAGE_LINKS = """
UPDATE access_tokens SET expires_dt = :expires
WHERE purpose = 'manage' AND expires_dt IS NULL AND revoked_dt IS NULL
  AND id < (SELECT max(t.id) FROM access_tokens AS t
            WHERE t.subscriber_id = access_tokens.subscriber_id AND t.purpose = 'manage')
"""


def _replace_check(table, name, condition, **alter_columns):
    """Put CHECK ``name`` on ``table`` with ``condition`` (and alter columns on the way)."""
    if op.get_bind().dialect.name == 'sqlite':
        # the batch copy leaves every CHECK out: add it to the copy
        with op.batch_alter_table(table, schema=None, recreate='always') as batch_op:
            for column, (before, after) in alter_columns.items():
                batch_op.alter_column(column, existing_type=before, type_=after)
            batch_op.create_check_constraint(name, condition)
    else:
        op.drop_constraint(op.f(f'ck_{table}_{name}'), table, type_='check')
        for column, (before, after) in alter_columns.items():
            op.alter_column(table, column, existing_type=before, type_=after)
        op.create_check_constraint(name, table, condition)


def _reminder_status(condition):
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        with op.batch_alter_table('reminders', schema=None) as batch_op:
            batch_op.drop_index('uq_reminders_remembered', postgresql_where=REMEMBERED, sqlite_where=REMEMBERED)
            batch_op.drop_index('ix_reminders_due', postgresql_where=DUE, sqlite_where=DUE)
    _replace_check('reminders', 'status', condition)
    if sqlite:
        with op.batch_alter_table('reminders', schema=None) as batch_op:
            batch_op.create_index('ix_reminders_due', ['next_attempt_dt'], unique=False, postgresql_where=DUE, sqlite_where=DUE)
            batch_op.create_index('uq_reminders_remembered', ['remembered_id', 'occasion', 'lead_days'], unique=True, postgresql_where=REMEMBERED, sqlite_where=REMEMBERED)


def upgrade():
    op.create_table('suppressions',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint(REASON, name=op.f('ck_suppressions_reason')),
    sa.PrimaryKeyConstraint('email', name=op.f('pk_suppressions'))
    )
    op.execute(COPY_SUPPRESSED)

    _replace_check('access_tokens', 'purpose', PURPOSE_AFTER, purpose=(sa.String(length=8), sa.String(length=12)))
    with op.batch_alter_table('access_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_tokens_expires_dt'), ['expires_dt'], unique=False)
    expires = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=MANAGE_LINK_DAYS)
    op.get_bind().execute(sa.text(AGE_OLDER_MANAGE_LINKS), {'expires': expires})

    _reminder_status(REMINDER_STATUS_AFTER)


def downgrade():
    op.execute("UPDATE reminders SET status = 'cancelled' WHERE status = 'superseded'")
    _reminder_status(REMINDER_STATUS_BEFORE)

    op.execute("DELETE FROM access_tokens WHERE purpose = 'unsubscribe'")
    with op.batch_alter_table('access_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_tokens_expires_dt'))
    _replace_check('access_tokens', 'purpose', PURPOSE_BEFORE, purpose=(sa.String(length=12), sa.String(length=8)))

    # the list goes; what it held stays on the subscriber rows, as before 0010
    op.execute("UPDATE subscribers SET status = 'suppressed' WHERE status IN ('pending', 'active') "
               "AND lower(email) IN (SELECT email FROM suppressions)")
    op.drop_table('suppressions')
