"""The city server's tables, as SQLAlchemy Core metadata shared by PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Times are stored as RFC 3339 UTC strings ("2026-11-30T06:10:15.123456Z"): identical on both databases,
# sortable as text, and exactly what the wire carries.
TIME = String(40)
ID = String(36)
"""UUIDs as canonical lowercase strings (the protocol's spelling)."""

metadata = MetaData()

server_setting = Table(
    "server_setting", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    # The server's Ed25519 private key lives here so every stateless server process signs with the same key.
)

outlet = Table(
    "outlet", metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("kelurahan_code", String(16), nullable=False, index=True),
    Column("kelurahan", String(80), nullable=False, server_default=""),
    Column("kecamatan", String(80), nullable=False, server_default=""),
    Column("lpg3_allocation", Integer, nullable=False, server_default="0"),
    # Cylinders of 3 kg the outlet may distribute per month (from the agen's allocation); 0 = not set.
    Column("created_at", TIME, nullable=False),
)

enrolment_code = Table(
    "enrolment_code", metadata,
    Column("code_hash", String(64), primary_key=True),  # sha256 hex of the code: the code itself is shown once
    Column("outlet_id", ID, ForeignKey("outlet.id"), nullable=False, index=True),
    Column("created_at", TIME, nullable=False),
    Column("expires_at", TIME, nullable=False),
    Column("used_at", TIME),
    Column("device_id", ID),
)

device = Table(
    "device", metadata,
    Column("id", ID, primary_key=True),
    Column("outlet_id", ID, ForeignKey("outlet.id"), nullable=False, index=True),
    Column("name", String(120), nullable=False),
    Column("public_key", String(64), nullable=False),  # standard base64 of the raw 32-byte Ed25519 key
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the bearer token
    Column("status", String(16), nullable=False, server_default="active"),  # active | revoked
    Column("enrolled_at", TIME, nullable=False),
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
    Column("last_hash", String(64), nullable=False, server_default="0" * 64),
    Column("last_sync_at", TIME),
    Column("last_device_time", TIME),
    Column("forked_at_seq", BigInteger),  # set when a fork was refused; cleared by an administrator
    # A till restored from a backup and enrolled again continues the journal another device of its outlet
    # already uploaded: seqs 1..inherited_seq are that device's rows (same ids, same hashes), not stored again.
    Column("inherited_seq", BigInteger, nullable=False, server_default="0"),
    Column("inherited_hash", String(64), nullable=False, server_default="0" * 64),
    Column("inherited_from", ID),
)

journal_event = Table(
    "journal_event", metadata,
    # No foreign key to device (migration 0004): ingest stores events only for the device row it holds locked.
    Column("device_id", ID, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("event_id", ID, nullable=False),
    Column("outlet_id", ID, nullable=False),
    Column("type", String(64), nullable=False),
    Column("schema_v", Integer, nullable=False),
    Column("device_time", TIME, nullable=False),
    Column("master_version", BigInteger, nullable=False),
    Column("body", Text, nullable=False),  # canon(body) as UTF-8 text: re-hashable byte for byte
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("batch_id", ID, nullable=False),
    Column("received_at", TIME, nullable=False),
    PrimaryKeyConstraint("device_id", "seq"),
    UniqueConstraint("event_id"),
    Index("ix_journal_event_outlet_type", "outlet_id", "type"),
)

upload_batch = Table(
    "upload_batch", metadata,
    Column("batch_id", ID, primary_key=True),
    Column("device_id", ID, ForeignKey("device.id"), nullable=False, index=True),
    Column("from_seq", BigInteger, nullable=False),
    Column("to_seq", BigInteger, nullable=False),
    Column("stored", Integer, nullable=False),  # events newly stored by this batch (0 = all duplicates)
    Column("received_at", TIME, nullable=False),
)

# --- effects: the facts the dashboard reads, kept up to date in the ingest transaction -------------------

sales_day = Table(
    "sales_day", metadata,
    Column("outlet_id", ID, nullable=False),
    Column("business_date", String(10), nullable=False),
    Column("sales_count", Integer, nullable=False, server_default="0"),
    Column("sales_total", BigInteger, nullable=False, server_default="0"),
    Column("member_sales_count", Integer, nullable=False, server_default="0"),
    Column("member_sales_total", BigInteger, nullable=False, server_default="0"),
    Column("refund_count", Integer, nullable=False, server_default="0"),
    Column("refund_total", BigInteger, nullable=False, server_default="0"),
    Column("z_closed", Integer, nullable=False, server_default="0"),  # shifts closed (Z) that day
    PrimaryKeyConstraint("outlet_id", "business_date"),
)

sales_product_day = Table(
    "sales_product_day", metadata,
    Column("outlet_id", ID, nullable=False),
    Column("business_date", String(10), nullable=False),
    Column("sku", String(40), nullable=False),
    Column("name", String(160), nullable=False),
    Column("qty_milli", BigInteger, nullable=False, server_default="0"),
    Column("amount", BigInteger, nullable=False, server_default="0"),
    Column("lines", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("outlet_id", "business_date", "sku"),
)

payment_day = Table(
    "payment_day", metadata,
    Column("outlet_id", ID, nullable=False),
    Column("business_date", String(10), nullable=False),
    Column("method", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False, server_default="0"),
    Column("count", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("outlet_id", "business_date", "method"),
)

stock_position = Table(
    "stock_position", metadata,
    Column("outlet_id", ID, nullable=False),
    Column("sku", String(40), nullable=False),
    Column("qty_milli", BigInteger, nullable=False, server_default="0"),
    Column("updated_at", TIME, nullable=False),
    PrimaryKeyConstraint("outlet_id", "sku"),
)

lpg_month = Table(
    "lpg_month", metadata,
    Column("outlet_id", ID, nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM of the business date
    Column("cylinders", BigInteger, nullable=False, server_default="0"),  # 3 kg cylinders sold (net of refunds)
    Column("buyers_rumah_tangga", Integer, nullable=False, server_default="0"),
    Column("buyers_usaha_mikro", Integer, nullable=False, server_default="0"),
    Column("buyers_other", Integer, nullable=False, server_default="0"),
    Column("amount", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("outlet_id", "month"),
)

flag = Table(
    "flag", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outlet_id", ID, nullable=False, index=True),
    Column("device_id", ID),
    Column("seq", BigInteger),
    Column("kind", String(32), nullable=False),
    # price_above_het | lpg_limit_override | override | negative_stock | unknown_type | fork | gap
    Column("detail", Text, nullable=False),
    Column("created_at", TIME, nullable=False),
    Column("resolved_at", TIME),
    Index("ix_flag_open", "outlet_id", "resolved_at"),
)

# --- master data published by the city -------------------------------------------------------------------

master_version = Table(
    "master_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("published_at", TIME, nullable=False),
    Column("source", String(200), nullable=False),  # the published file's name, for the audit trail
    Column("items", Integer, nullable=False),
)

master_item = Table(
    "master_item", metadata,
    Column("kind", String(16), nullable=False),  # product | ceiling | lpg_limit | setting
    Column("key", String(120), nullable=False),  # sku; sku|effective_from; limit name; setting key
    Column("version", Integer, ForeignKey("master_version.version"), nullable=False, index=True),
    Column("payload", Text, nullable=False),  # canon(record) as text
    PrimaryKeyConstraint("kind", "key"),
)

# --- the dashboard ----------------------------------------------------------------------------------------

dashboard_user = Table(
    "dashboard_user", metadata,
    Column("id", ID, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),  # scrypt$n$r$p$salt_hex$hash_hex
    Column("role", String(16), nullable=False),  # dinas | koperasi
    Column("outlet_id", ID, ForeignKey("outlet.id")),  # required for koperasi
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", TIME, nullable=False),
)

dashboard_session = Table(
    "dashboard_session", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ID, ForeignKey("dashboard_user.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", TIME, nullable=False),
    Column("expires_at", TIME, nullable=False),
)

dashboard_login_failure = Table(
    "dashboard_login_failure", metadata,
    # Failed dashboard logins per username (lower-cased, at most 64 chars), shared by every server process:
    # 5 in a row lock the name for 60 s (sync/server/dashboard/lockout.py).
    Column("username", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("locked_until", TIME),
    Column("updated_at", TIME, nullable=False, index=True),
)
