"""The desk's tables, as SQLAlchemy Core: one definition for SQLite and PostgreSQL.

Every table name starts with ``desk_`` so the desk shares one database with the web form's own
tables; its Alembic history keeps its own version table for the same reason (``migrations``).
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

# One row per body in the region, the office included; a body dropped from the list is retired, never deleted.
agencies = Table(
    "desk_agencies", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("parent_id", Integer, ForeignKey("desk_agencies.id"), nullable=True),
    Column("level", String(40), nullable=True),
    Column("code", String(60), nullable=True),
    Column("is_office", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False, default=0),  # order in the agency list
    Column("retired_at", DateTime(timezone=True), nullable=True),
)

accounts = Table(
    "desk_accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(60), nullable=False, unique=True),
    Column("agency_id", Integer, ForeignKey("desk_agencies.id"), nullable=False),
    Column("role", String(10), nullable=False),  # "clerk" or "office"
    Column("password_hash", String(300), nullable=False),
    Column("must_change_password", Boolean, nullable=False, default=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "desk_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie's token: a leaked table opens nothing
    Column("account_id", Integer, ForeignKey("desk_accounts.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

login_attempts = Table(
    "desk_login_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(60), nullable=False),
    Column("address", String(60), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_desk_login_attempts_login_at", "login", "at"),
    Index("ix_desk_login_attempts_address_at", "address", "at"),
)

# One report per agency and year: the data file as text, and what the dashboard and the sums read
# without parsing it (figures, narrative text, findings) kept beside it on every save.
reports = Table(
    "desk_reports", metadata,
    Column("id", Integer, primary_key=True),
    Column("agency_id", Integer, ForeignKey("desk_agencies.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("data", Text, nullable=False),  # the YAML data file
    Column("figures", Text, nullable=False),  # JSON {"table.row.col": number as text, or null when unread}
    Column("sections", Text, nullable=False),  # JSON {"key heading": narrative text}, for 雷同
    Column("findings", Text, nullable=False),  # JSON list of the last check's findings
    Column("errors", Integer, nullable=False, default=0),  # counts of those findings, for the dashboard
    Column("warnings", Integer, nullable=False, default=0),
    Column("revision", Integer, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("agency_id", "year", name="uq_desk_reports_agency_year"),
)

comments = Table(
    "desk_comments", metadata,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("desk_reports.id"), nullable=False),
    Column("account_id", Integer, ForeignKey("desk_accounts.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("revision", Integer, nullable=False),  # the report's revision the comment was made on
    Column("target", String(200), nullable=False),  # "figures.<table.row.col>" or "sections.<key>"
    Column("label", Text, nullable=False),  # the official label path of the cell or the section heading
    Column("text", Text, nullable=False),
    Index("ix_desk_comments_report", "report_id"),
)

# Append-only: the library has no path that updates or deletes a row, and the database refuses to
# (triggers created by the migration).
audit_log = Table(
    "desk_audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("account_id", Integer, ForeignKey("desk_accounts.id"), nullable=True),  # None: the desk's own command
    Column("agency_id", Integer, ForeignKey("desk_agencies.id"), nullable=True),
    Column("report_id", Integer, ForeignKey("desk_reports.id"), nullable=True),
    Column("action", String(30), nullable=False),
    Column("detail", Text, nullable=False),  # JSON: what changed
    Index("ix_desk_audit_log_report", "report_id"),
)

settings = Table(
    "desk_settings", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)
