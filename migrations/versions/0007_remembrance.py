"""a family's own remembrance: remembered people, gone feed links, their reminders

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:10:00

Reminders of a family's own remembrance days go through the same outbox as the
memorial days': memorial_day_id becomes nullable and such rows name the
remembered person and the occasion instead, unique per (person, occasion, lead).
SQLite rebuilds the table in batch mode; the partial index on due rows is
dropped first and created again after, so that it keeps its WHERE clause, and
the CHECK constraints of 0004 (which SQLite's batch copy leaves out) are
written again. Access tokens gain the purpose 'remember'.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

DUE = sa.text("status IN ('pending', 'sending')")
REMEMBERED = sa.text("remembered_id IS NOT NULL")
REMINDER_STATUS = "status IN ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled')"
PURPOSE_BEFORE = "purpose IN ('confirm', 'manage')"
PURPOSE_AFTER = "purpose IN ('confirm', 'manage', 'remember')"
PERSON_STATUS = "status IN ('pending', 'active')"


def _replace_check(table, name, condition):
    """Put CHECK ``name`` on ``table`` with ``condition``, replacing any one of that name."""
    if op.get_bind().dialect.name == 'sqlite':
        # the batch copy leaves every CHECK out: add it to the copy
        with op.batch_alter_table(table, schema=None, recreate='always') as batch_op:
            batch_op.create_check_constraint(name, condition)
    else:
        op.drop_constraint(op.f(f'ck_{table}_{name}'), table, type_='check')
        op.create_check_constraint(name, table, condition)


def upgrade():
    op.create_table('remembered_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('died_on', sa.Date(), nullable=False),
    sa.Column('born_on', sa.Date(), nullable=True),
    sa.Column('counting', sa.String(length=12), nullable=False),
    sa.Column('thursdays', sa.Boolean(), nullable=False),
    sa.Column('day_slug', sa.String(length=40), nullable=True),
    sa.Column('lead_days', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('confirm_hash', sa.String(length=64), nullable=True),
    sa.Column('feed_salt', sa.String(length=64), nullable=False),
    sa.Column('feed_hash', sa.String(length=64), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('changed_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_remembered_people_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.CheckConstraint(PERSON_STATUS, name=op.f('ck_remembered_people_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remembered_people')),
    sa.UniqueConstraint('feed_hash', name=op.f('uq_remembered_people_feed_hash'))
    )
    with op.batch_alter_table('remembered_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remembered_people_confirm_hash'), ['confirm_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_remembered_people_subscriber_id'), ['subscriber_id'], unique=False)

    op.create_table('gone_feeds',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('gone_dt', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_gone_feeds'))
    )

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_due', postgresql_where=DUE, sqlite_where=DUE)
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remembered_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('occasion', sa.String(length=16), nullable=True))
        batch_op.alter_column('memorial_day_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_reminders_remembered_id_remembered_people'), 'remembered_people', ['remembered_id'], ['id'], ondelete='CASCADE')
    if op.get_bind().dialect.name == 'sqlite':
        _replace_check('reminders', 'status', REMINDER_STATUS)
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_due', ['next_attempt_dt'], unique=False, postgresql_where=DUE, sqlite_where=DUE)
        batch_op.create_index('uq_reminders_remembered', ['remembered_id', 'occasion', 'lead_days'], unique=True, postgresql_where=REMEMBERED, sqlite_where=REMEMBERED)
    _replace_check('access_tokens', 'purpose', PURPOSE_AFTER)


def downgrade():
    op.execute("DELETE FROM reminders WHERE remembered_id IS NOT NULL")
    op.execute("DELETE FROM access_tokens WHERE purpose = 'remember'")
    _replace_check('access_tokens', 'purpose', PURPOSE_BEFORE)
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('uq_reminders_remembered', postgresql_where=REMEMBERED, sqlite_where=REMEMBERED)
        batch_op.drop_index('ix_reminders_due', postgresql_where=DUE, sqlite_where=DUE)
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminders_remembered_id_remembered_people'), type_='foreignkey')
        batch_op.alter_column('memorial_day_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('occasion')
        batch_op.drop_column('remembered_id')
    if op.get_bind().dialect.name == 'sqlite':
        _replace_check('reminders', 'status', REMINDER_STATUS)
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_due', ['next_attempt_dt'], unique=False, postgresql_where=DUE, sqlite_where=DUE)

    op.drop_table('gone_feeds')
    with op.batch_alter_table('remembered_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remembered_people_subscriber_id'))
        batch_op.drop_index(batch_op.f('ix_remembered_people_confirm_hash'))

    op.drop_table('remembered_people')
