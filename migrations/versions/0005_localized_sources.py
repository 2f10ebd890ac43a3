"""sources readers can read: a title and a publisher in az, en and ru; an unverified first year

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:30:00

`sources.publisher` (one English string, a placeholder when the document names no
publisher) becomes `publisher_name`, a JSON object with az, en and ru, or NULL when
the document names none. `sources.display_title` holds the title in the reader's
language (`title` stays the document's own). `memorial_days.first_observed_verified`
is false when no source states the first year a day was observed. The next
`calendar-app data load` fills the translations; until then every language shows
the old English text, as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

PLACEHOLDER = 'Not stated'


def upgrade():
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_title', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('publisher_name', sa.JSON(), nullable=True))
    sources = sa.table(
        'sources',
        sa.column('id', sa.Integer()),
        sa.column('publisher', sa.String()),
        sa.column('publisher_name', sa.JSON()),
    )
    connection = op.get_bind()
    for row_id, publisher in connection.execute(sa.select(sources.c.id, sources.c.publisher)).all():
        if publisher and not publisher.startswith(PLACEHOLDER):
            connection.execute(
                sources.update()
                .where(sources.c.id == row_id)
                .values(publisher_name={'az': publisher, 'en': publisher, 'ru': publisher})
            )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('publisher')

    with op.batch_alter_table('memorial_days', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('first_observed_verified', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table('memorial_days', schema=None) as batch_op:
        batch_op.alter_column('first_observed_verified', server_default=None)


def downgrade():
    with op.batch_alter_table('memorial_days', schema=None) as batch_op:
        batch_op.drop_column('first_observed_verified')

    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publisher', sa.String(length=200), nullable=False, server_default=''))
    sources = sa.table(
        'sources',
        sa.column('id', sa.Integer()),
        sa.column('publisher', sa.String()),
        sa.column('publisher_name', sa.JSON()),
    )
    connection = op.get_bind()
    for row_id, names in connection.execute(sa.select(sources.c.id, sources.c.publisher_name)).all():
        connection.execute(
            sources.update()
            .where(sources.c.id == row_id)
            .values(publisher=(names or {}).get('en', 'Not stated'))
        )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.alter_column('publisher', server_default=None)
        batch_op.drop_column('publisher_name')
        batch_op.drop_column('display_title')
