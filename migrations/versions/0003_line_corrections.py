"""The line_corrections table: a read line as cut from the page (a grey PNG), the text a person
says it holds, and what the app read

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# As webapp.correction_store says when this revision was written (a migration keeps its own values).
MAX_PICTURE_BYTES = 262144
MAX_TEXT = 500


def upgrade():
    op.create_table(
        "line_corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("picture", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.String(MAX_TEXT), nullable=False),
        sa.Column("reading", sa.String(MAX_TEXT), nullable=False),
        sa.Column("reader", sa.String(8), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("model_version", sa.String(80), nullable=False),
        sa.CheckConstraint(f"length(picture) <= {MAX_PICTURE_BYTES}", name="picture_is_bounded"),
        sa.CheckConstraint(f"length(text) BETWEEN 1 AND {MAX_TEXT}", name="text_is_bounded"),
        sa.CheckConstraint(f"length(reading) <= {MAX_TEXT}", name="reading_is_bounded"),
        sa.CheckConstraint("reader IN ('letters', 'lines')", name="reader_is_known"),
    )
    op.create_index("ix_line_corrections_created_at", "line_corrections", ["created_at"])


def downgrade():
    op.drop_index("ix_line_corrections_created_at", table_name="line_corrections")
    op.drop_table("line_corrections")
