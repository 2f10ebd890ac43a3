"""a note beside a day's first year observed, in az, en and ru

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 18:00:00

The year is the first as a state memorial day; the note says what the year alone
would not (31 March was first marked in 1919 by the Azerbaijan Democratic
Republic). NULL: no note.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memorial_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_observed_note', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('memorial_days', schema=None) as batch_op:
        batch_op.drop_column('first_observed_note')
