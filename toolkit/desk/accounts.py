"""Accounts, passwords, sessions and the login rate limit.

Passwords are kept only as scrypt hashes (the parameters stored with each hash, so they can be
raised later without locking anyone out). A first login must change the password; a session is a
random token whose SHA-256 alone is stored, with an expiry and a CSRF token for the forms.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..errors import ToolkitError
from . import audit
from .schema import accounts, agencies, login_attempts, sessions
from .terms import OFFICE
SESSION_LIFETIME = dt.timedelta(hours=8)
LOGIN_WINDOW = dt.timedelta(minutes=15)
LOGIN_FAILURES_ALLOWED = 5  # per login within the window; then refused until the window has passed
ADDRESS_FAILURES_ALLOWED = 20  # per address, whatever the logins tried: one machine guessing through a list
MIN_PASSWORD_LENGTH = 10
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}  # for passwords people choose
# An initial password is 12 random characters of 56 (about 70 bits): no dictionary or brute force
# reaches it whatever the hash costs, so a cheaper scrypt lets a province's 3,000 accounts be made in
# seconds. It must be changed at first login, and the chosen password gets the full cost.
_INITIAL_SCRYPT = {"n": 2 ** 10, "r": 8, "p": 1}
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


class LoginRefused(ToolkitError):
    """Wrong login or password (never said which), a disabled account, or too many attempts."""


class PasswordRejected(ToolkitError):
    """A new password that does not meet the rules."""


@dataclass(frozen=True)
class Account:
    """Who is acting: an account, its agency and role."""

    id: int
    login: str
    agency_id: int
    role: str
    must_change_password: bool = False

    @property
    def is_office(self) -> bool:
        return self.role == OFFICE


@dataclass(frozen=True)
class Session:
    token: str  # given to the browser once; only its hash is stored
    csrf_token: str
    account: Account
    expires_at: dt.datetime


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def hash_password(password: str, initial: bool = False) -> str:
    """The scrypt hash with its parameters and salt; ``initial`` for a generated initial password."""
    cost = _INITIAL_SCRYPT if initial else _SCRYPT
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, maxmem=64 * 1024 * 1024, **cost)
    encode = lambda raw: base64.b64encode(raw).decode("ascii")
    return f"scrypt${cost['n']}${cost['r']}${cost['p']}${encode(salt)}${encode(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                maxmem=64 * 1024 * 1024, dklen=len(expected))
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


def new_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))


def create_account(connection: Connection, login: str, agency_id: int, role: str) -> str:
    """A new account bound to change its password at first login; returns the initial password."""
    password = new_password()
    connection.execute(insert(accounts).values(
        login=login, agency_id=agency_id, role=role, password_hash=hash_password(password, initial=True),
        must_change_password=True, disabled=False, created_at=now()))
    return password


def _account(row) -> Account:
    return Account(row.id, row.login, row.agency_id, row.role, row.must_change_password)


def _active_accounts():
    """Accounts that may log in: not disabled, and their agency not retired."""
    return (select(accounts).join(agencies, agencies.c.id == accounts.c.agency_id)
            .where(accounts.c.disabled.is_(False), agencies.c.retired_at.is_(None)))


def login(connection: Connection, login_name: str, password: str, address: str | None = None,
          at: dt.datetime | None = None) -> Session:
    """A new session, or LoginRefused. Every attempt is recorded; too many failures in the window
    refuse even the right password until the window has passed."""
    at = at or now()
    minutes = int(LOGIN_WINDOW.total_seconds() // 60)
    if _failures(connection, login_attempts.c.login == login_name, at) >= LOGIN_FAILURES_ALLOWED:
        _attempt(connection, login_name, address, at, False)
        raise LoginRefused(f"该账号登录失败次数过多，已暂停登录，请 {minutes} 分钟后再试。")
    if address and _failures(connection, login_attempts.c.address == address, at) >= ADDRESS_FAILURES_ALLOWED:
        _attempt(connection, login_name, address, at, False)
        raise LoginRefused(f"此地址登录失败次数过多，已暂停登录，请 {minutes} 分钟后再试。")
    row = connection.execute(_active_accounts().where(accounts.c.login == login_name)).first()
    if row is None or not verify_password(password, row.password_hash):
        _attempt(connection, login_name, address, at, False)
        raise LoginRefused("账号或密码不正确。")
    _attempt(connection, login_name, address, at, True)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = at + SESSION_LIFETIME
    connection.execute(insert(sessions).values(token_hash=_token_hash(token), account_id=row.id, csrf_token=csrf,
                                               created_at=at, expires_at=expires))
    audit.record(connection, row.id, "login", {"address": address}, agency_id=row.agency_id, at=at)
    return Session(token, csrf, _account(row), expires)


def _failures(connection: Connection, whose, at: dt.datetime) -> int:
    return connection.execute(select(func.count()).select_from(login_attempts).where(
        whose, login_attempts.c.succeeded.is_(False), login_attempts.c.at > at - LOGIN_WINDOW)).scalar_one()


def _attempt(connection: Connection, login_name: str, address: str | None, at: dt.datetime, succeeded: bool) -> None:
    connection.execute(insert(login_attempts).values(login=login_name[:60], address=address, at=at,
                                                     succeeded=succeeded))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session(connection: Connection, token: str, at: dt.datetime | None = None) -> Session | None:
    """The live session of a token; None when unknown, expired, or its account no longer may log in."""
    at = at or now()
    row = connection.execute(
        _active_accounts().add_columns(sessions.c.csrf_token, sessions.c.expires_at)
        .join(sessions, sessions.c.account_id == accounts.c.id)
        .where(sessions.c.token_hash == _token_hash(token))).first()
    if row is None or _aware(row.expires_at) <= at:
        return None
    return Session(token, row.csrf_token, _account(row), _aware(row.expires_at))


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back without their zone; the desk writes UTC only."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def csrf_valid(current: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(current.csrf_token, token)


def logout(connection: Connection, token: str) -> None:
    connection.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))


def purge_expired_sessions(connection: Connection, at: dt.datetime | None = None) -> int:
    return connection.execute(delete(sessions).where(sessions.c.expires_at <= (at or now()))).rowcount


def change_password(connection: Connection, account: Account, old: str, new: str) -> Account:
    """The account with its new password, no longer bound to change it."""
    row = connection.execute(select(accounts).where(accounts.c.id == account.id)).one()
    if not verify_password(old, row.password_hash):
        raise PasswordRejected("原密码不正确。")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(f"新密码至少 {MIN_PASSWORD_LENGTH} 个字符。")
    if new == old:
        raise PasswordRejected("新密码不能与原密码相同。")
    if new.casefold() == row.login.casefold() or new.isdigit():
        raise PasswordRejected("新密码不能是账号本身，也不能全为数字。")
    connection.execute(update(accounts).where(accounts.c.id == account.id)
                       .values(password_hash=hash_password(new), must_change_password=False))
    audit.record(connection, account.id, "password_changed", {}, agency_id=account.agency_id)
    return Account(account.id, account.login, account.agency_id, account.role, False)


def reset_password(connection: Connection, actor: Account | None, login_name: str) -> str:
    """A new initial password for an account (the office's or the desk command's act); it must be
    changed at the next login, and the account's sessions end."""
    row = connection.execute(select(accounts).where(accounts.c.login == login_name)).first()
    if row is None:
        raise ToolkitError(f"没有账号“{login_name}”。")
    password = new_password()
    connection.execute(update(accounts).where(accounts.c.id == row.id)
                       .values(password_hash=hash_password(password, initial=True), must_change_password=True))
    connection.execute(delete(sessions).where(sessions.c.account_id == row.id))
    connection.execute(delete(login_attempts).where(and_(login_attempts.c.login == login_name,
                                                         login_attempts.c.succeeded.is_(False))))
    audit.record(connection, actor.id if actor else None, "password_reset", {"login": login_name},
                 agency_id=row.agency_id)
    return password


def account_of(connection: Connection, login_name: str) -> Account | None:
    row = connection.execute(select(accounts).where(accounts.c.login == login_name)).first()
    return _account(row) if row else None


def operator(connection: Connection) -> Account:
    """The office's account as the desk's own commands act with it: whoever runs them on the server
    holds the database already, so the first-login password change does not stand in their way."""
    row = connection.execute(select(accounts).where(accounts.c.role == OFFICE).order_by(accounts.c.id)).first()
    if row is None:
        raise ToolkitError("数据库中还没有政务公开办的账号；请先运行 govreport desk init。")
    return Account(row.id, row.login, row.agency_id, row.role, False)
