"""when each memorial day's own texts last changed, for the Atom entries' updated

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:30:00

The data version (data_state.changed_dt) moves for any change anywhere, so an
Atom feed dated by it marks every entry updated at once. This column moves
only when a load changes the day's own record (its names, summary, dates);
NULL means "as first loaded".
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memorial_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('texts_changed_dt', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('memorial_days', schema=None) as batch_op:
        batch_op.drop_column('texts_changed_dt')
