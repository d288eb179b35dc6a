"""accounts: e-mail confirmation of self-registered accounts

Revision ID: e18b0acc0001
Revises: 5f38e4f9287a
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e18b0acc0001'
down_revision = '5f38e4f9287a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))

    # Accounts made before confirmation existed were made by people the system trusted: confirmed.
    users = sa.table('users', sa.column('created_at', sa.DateTime(timezone=True)),
                     sa.column('email_confirmed_at', sa.DateTime(timezone=True)))
    op.get_bind().execute(users.update().values(email_confirmed_at=users.c.created_at))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
