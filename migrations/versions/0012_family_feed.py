"""one private feed for all of an address's names: family_feeds

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 19:30:00

One row per address (the subscriber), with its own random salt and the SHA-256
of the feed token, as remembered_people has for each name. No row is made here:
the token derives from the site's secret key, which a migration does not know;
an address gets its row when it confirms names, or when its manage page is opened.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('family_feeds',
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('feed_salt', sa.String(length=64), nullable=False),
    sa.Column('feed_hash', sa.String(length=64), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('changed_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_family_feeds_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscriber_id', name=op.f('pk_family_feeds')),
    sa.UniqueConstraint('feed_hash', name=op.f('uq_family_feeds_feed_hash'))
    )


def downgrade():
    op.drop_table('family_feeds')
