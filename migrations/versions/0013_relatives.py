"""relatives: shares of a family's names with other addresses, and their reminders

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07 19:40:00

An owner invites another address (a relative) to the reminders of chosen names:
``shares`` holds the invitation (pending until the invitee confirms, its link
found by the SHA-256 ``confirm_hash``) and ``share_people`` the names it shares.
Both go with either address and with each name (ON DELETE CASCADE).

A remembrance reminder is now unique per (person, reader, occasion, lead): the
family's address and each relative it invited get their own rows. Going down
deletes the relatives' reminders first, so the narrower index can be made again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

REMEMBERED = sa.text("remembered_id IS NOT NULL")
SHARE_STATUS = "status IN ('pending', 'active')"


def upgrade():
    op.create_table('shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('confirm_hash', sa.String(length=64), nullable=True),
    sa.Column('lead_days', sa.JSON(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('changed_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint(SHARE_STATUS, name=op.f('ck_shares_status')),
    sa.ForeignKeyConstraint(['invitee_id'], ['subscribers.id'], name=op.f('fk_shares_invitee_id_subscribers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['subscribers.id'], name=op.f('fk_shares_owner_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shares')),
    sa.UniqueConstraint('confirm_hash', name=op.f('uq_shares_confirm_hash')),
    sa.UniqueConstraint('owner_id', 'invitee_id', name=op.f('uq_shares_owner_id'))
    )
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shares_invitee_id'), ['invitee_id'], unique=False)

    op.create_table('share_people',
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('remembered_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['remembered_id'], ['remembered_people.id'], name=op.f('fk_share_people_remembered_id_remembered_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], name=op.f('fk_share_people_share_id_shares'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('share_id', 'remembered_id', name=op.f('pk_share_people'))
    )
    with op.batch_alter_table('share_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_people_remembered_id'), ['remembered_id'], unique=False)

    op.drop_index('uq_reminders_remembered', table_name='reminders', postgresql_where=REMEMBERED, sqlite_where=REMEMBERED)
    op.create_index('uq_reminders_remembered', 'reminders', ['remembered_id', 'subscriber_id', 'occasion', 'lead_days'], unique=True, postgresql_where=REMEMBERED, sqlite_where=REMEMBERED)


def downgrade():
    # the relatives' reminders: rows of a name addressed to another address than its own
    op.execute(
        "DELETE FROM reminders WHERE remembered_id IS NOT NULL AND subscriber_id <> "
        "(SELECT p.subscriber_id FROM remembered_people AS p WHERE p.id = reminders.remembered_id)"
    )
    op.drop_index('uq_reminders_remembered', table_name='reminders', postgresql_where=REMEMBERED, sqlite_where=REMEMBERED)
    op.create_index('uq_reminders_remembered', 'reminders', ['remembered_id', 'occasion', 'lead_days'], unique=True, postgresql_where=REMEMBERED, sqlite_where=REMEMBERED)

    with op.batch_alter_table('share_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_people_remembered_id'))
    op.drop_table('share_people')
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shares_invitee_id'))
    op.drop_table('shares')
