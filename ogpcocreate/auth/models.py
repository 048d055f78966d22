"""A person with an account."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.db import TimestampMixin, utcnow
from ..extensions import db

# Addresses under this reserved top-level domain (RFC 2606) can never receive mail: a closed account's
# e-mail is replaced by one of them, so the real address is free to register again and nothing is sent.
CLOSED_EMAIL_DOMAIN = "closed.invalid"


def closed_account_email(user_id: int) -> str:
    return f"closed-account-{user_id}@{CLOSED_EMAIL_DOMAIN}"


def closed_account_name(user_id: int) -> str:
    """How a closed account is named wherever a name would be shown (DOMAIN.md, "What is public, and when")."""
    return gettext("closed account #%(id)d", id=user_id)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def hash_password(password: str) -> str:
    """The one place the password KDF runs (werkzeug's default method, scrypt)."""
    return generate_password_hash(password)


@cache
def dummy_password_hash() -> str:
    """A hash of a random password by the same method as real ones, checked when there is no account."""
    return hash_password(secrets.token_urlsafe(16))


def check_no_password(password: str) -> bool:
    """Do the work of a password check where there is no account to check, so the time taken does not
    tell an attacker which addresses have accounts. Always False."""
    check_password_hash(dummy_password_hash(), password)
    return False


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(5))
    territory: Mapped[str | None] = mapped_column(String(16))
    email_confirmed_at: Mapped[datetime | None]
    is_admin: Mapped[bool] = mapped_column(default=False, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    # Flask-Login keeps this token, not the id, in the session and the remember cookie: changing it
    # (password change, "log out everywhere") ends every other session at once.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    password_changed_at: Mapped[datetime | None]
    # DOMAIN.md, "What is public, and when": an ARCO cancellation closes the account for good; the
    # contributions stay on the record under "closed account #N" and the name is withheld from then on.
    closed_at: Mapped[datetime | None]

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active and self.closed_at is None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def public_name(self) -> str:
        """The name to show anyone but the person themself: every page, export and e-mail to others uses
        this, never ``display_name``, so a closed account's name is withheld everywhere at once."""
        if self.closed_at is not None:
            return closed_account_name(self.id)
        return self.display_name

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def set_password(self, password: str) -> None:
        self.set_password_hash(hash_password(password))

    def set_password_hash(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.password_changed_at = utcnow()
        self.session_token = new_session_token()

    def disable_password(self) -> None:
        """A hash no password matches: it is not in werkzeug's ``method$salt$hash`` form, so
        check_password_hash refuses every password against it; random, so it tells nothing."""
        self.password_hash = "!" + secrets.token_hex(32)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
