"""drop the reminders' index on subscriber_id alone: the unique index leads with it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:40:00

The unique index (subscriber_id, memorial_day_id, year, lead_days) already
finds a subscriber's reminders (its first column), for the cascade from
subscribers and for re-planning one subscriber. The single-column index only
cost a fourth B-tree write per planned reminder: about 1 to 4 s of the first
plan of a million subscribers on PostgreSQL (docs/PERFORMANCE.md).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_subscriber_id'))


def downgrade():
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_subscriber_id'), ['subscriber_id'], unique=False)
