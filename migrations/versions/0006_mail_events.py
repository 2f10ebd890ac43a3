"""sent messages by VERP token, and the bounces, complaints and unsubscribes that come back

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:20:00

The kinds are written out here as they were when this revision was made
(calendar_app/data/statuses.py: SentKind, MailEventKind).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sent_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=40), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('sent_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_sent_mail_subscriber_id_subscribers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_mail')),
        sa.UniqueConstraint('token', name=op.f('uq_sent_mail_token')),
        sa.CheckConstraint("kind IN ('reminder', 'confirm', 'manage')", name=op.f('ck_sent_mail_kind')),
    )
    with op.batch_alter_table('sent_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_mail_sent_dt'), ['sent_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_mail_subscriber_id'), ['subscriber_id'], unique=False)

    op.create_table(
        'mail_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=True),
        sa.Column('token', sa.String(length=40), nullable=True),
        sa.Column('detail', sa.String(length=300), nullable=False),
        sa.Column('received_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_mail_events_subscriber_id_subscribers'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_events')),
        sa.UniqueConstraint('kind', 'token', name=op.f('uq_mail_events_kind')),
        sa.CheckConstraint(
            "kind IN ('hard-bounce', 'soft-bounce', 'complaint', 'unsubscribe', 'rejected')",
            name=op.f('ck_mail_events_kind'),
        ),
    )
    with op.batch_alter_table('mail_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_events_received_dt'), ['received_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_events_subscriber_id'), ['subscriber_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_events_subscriber_id'))
        batch_op.drop_index(batch_op.f('ix_mail_events_received_dt'))
    op.drop_table('mail_events')
    with op.batch_alter_table('sent_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_mail_subscriber_id'))
        batch_op.drop_index(batch_op.f('ix_sent_mail_sent_dt'))
    op.drop_table('sent_mail')
