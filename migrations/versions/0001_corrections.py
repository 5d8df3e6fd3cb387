"""The corrections table: a 28x28 frame, the letter a person says it is, the model's guesses

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("frame", sa.LargeBinary(), nullable=False),
        sa.Column("label", sa.String(1), nullable=False),
        sa.Column("guesses", sa.String(5), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("model_version", sa.String(80), nullable=False),
        sa.CheckConstraint("length(frame) = 784", name="frame_is_28x28"),
        sa.CheckConstraint("length(label) = 1 AND label BETWEEN 'a' AND 'z'", name="label_is_a_letter"),
        sa.CheckConstraint("source IN ('canvas', 'upload')", name="source_is_known"),
    )


def downgrade():
    op.drop_table("corrections")
