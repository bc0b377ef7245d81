"""The desk's first schema: region, accounts, sessions, reports, comments, append-only audit log.

Revision ID: 0001_desk
Revises:
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_desk"
down_revision = None
branch_labels = ("desk",)
depends_on = None

_AT = sa.DateTime(timezone=True)
_APPEND_ONLY = "desk_audit_log is append-only"


def upgrade() -> None:
    op.create_table(
        "desk_agencies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("desk_agencies.id"), nullable=True),
        sa.Column("level", sa.String(40), nullable=True),
        sa.Column("code", sa.String(60), nullable=True),
        sa.Column("is_office", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("retired_at", _AT, nullable=True),
    )
    op.create_table(
        "desk_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(60), nullable=False, unique=True),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("desk_agencies.id"), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("must_change_password", sa.Boolean, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", _AT, nullable=False),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("desk_accounts.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
    )
    op.create_table(
        "desk_login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(60), nullable=False),
        sa.Column("address", sa.String(60), nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_desk_login_attempts_login_at", "desk_login_attempts", ["login", "at"])
    op.create_index("ix_desk_login_attempts_address_at", "desk_login_attempts", ["address", "at"])
    op.create_table(
        "desk_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("desk_agencies.id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("figures", sa.Text, nullable=False),
        sa.Column("sections", sa.Text, nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", _AT, nullable=True),
        sa.Column("submitted_at", _AT, nullable=True),
        sa.UniqueConstraint("agency_id", "year", name="uq_desk_reports_agency_year"),
    )
    op.create_table(
        "desk_comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("desk_reports.id"), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("desk_accounts.id"), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_desk_comments_report", "desk_comments", ["report_id"])
    op.create_table(
        "desk_audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("desk_accounts.id"), nullable=True),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("desk_agencies.id"), nullable=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("desk_reports.id"), nullable=True),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_desk_audit_log_report", "desk_audit_log", ["report_id"])
    op.create_table(
        "desk_settings",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    _refuse_audit_changes()


def _refuse_audit_changes() -> None:
    """The database itself refuses to change or remove an audit row, whoever asks."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION desk_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$")
        op.execute("CREATE TRIGGER desk_audit_log_append_only BEFORE UPDATE OR DELETE ON desk_audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION desk_audit_log_append_only()")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER desk_audit_log_no_{event.lower()} BEFORE {event} ON desk_audit_log "
                   f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER desk_audit_log_append_only ON desk_audit_log")
        op.execute("DROP FUNCTION desk_audit_log_append_only()")
    for table in ("desk_settings", "desk_audit_log", "desk_comments", "desk_reports", "desk_login_attempts",
                  "desk_sessions", "desk_accounts", "desk_agencies"):
        op.drop_table(table)
