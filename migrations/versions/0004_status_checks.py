"""CHECK constraints on the status columns, from calendar_app/data/statuses.py

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:30:00

A status outside its enum (a typo in code, a hand-written UPDATE) is refused by
the database instead of leaving a row that no query looks for. The values are
written out here, as they were when this revision was made.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

CHECKS = {
    'subscribers': ('status', "status IN ('pending', 'active', 'unsubscribed', 'suppressed')"),
    'access_tokens': ('purpose', "purpose IN ('confirm', 'manage')"),
    'reminders': (
        'status',
        "status IN ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled')",
    ),
}


def upgrade():
    for table, (name, condition) in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(name, condition)


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, (name, _condition) in CHECKS.items():
        if sqlite:
            # SQLite cannot drop a constraint: the copy that batch mode makes leaves it out
            with op.batch_alter_table(table, schema=None, recreate='always'):
                pass
        else:
            op.drop_constraint(op.f(f'ck_{table}_{name}'), table, type_='check')
