"""The page's language with each correction (the app became bilingual); an index on the time
for the daily cap and the newest-first review page

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("corrections", sa.Column("language", sa.String(16), nullable=True))
    op.create_index("ix_corrections_created_at", "corrections", ["created_at"])


def downgrade():
    op.drop_index("ix_corrections_created_at", table_name="corrections")
    with op.batch_alter_table("corrections") as batch:
        batch.drop_column("language")
