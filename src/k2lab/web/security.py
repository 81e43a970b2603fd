"""Accounts and login sessions of multi-user mode: password hashing, session tokens, the
login rate limit, and safe redirect targets. No routes here (those are :mod:`k2lab.web.auth`).

- Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory
  profile: 3 passes over 64 MiB); a hash made with weaker parameters is replaced on the next
  login.
- A session is a random 256-bit token in an ``HttpOnly``, ``SameSite=Lax`` cookie; the store
  keeps only its SHA-256, so a copy of the database cannot be replayed as a login.
- Failed logins are counted per username and client address in this process's memory
  (one server process; a restart forgets them).

Example
-------
>>> check_username("Ada.L")
'ada.l'
>>> safe_next("//evil.example/x"), safe_next("/diary?day=2026-01-01")
('/', '/diary?day=2026-01-01')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from k2lab.errors import K2LabError
from k2lab.store import LOCAL_USER, AuthSession, User
from k2lab.store.schema import utcnow

__all__ = [
    "SESSION_COOKIE",
    "SESSION_DAYS",
    "LoginLimiter",
    "LoginRequired",
    "TooManyAttempts",
    "WrongCredentials",
    "authenticate",
    "check_password",
    "check_username",
    "create_account",
    "end_session",
    "safe_next",
    "start_session",
    "user_for_token",
]

SESSION_COOKIE = "k2lab_session"
SESSION_DAYS = 14
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
PASSWORD_MIN, PASSWORD_MAX = 10, 256

_hasher = PasswordHasher()
_dummy_hash: list[str] = []  # made on first use: equalizes the time of unknown usernames


class LoginRequired(K2LabError):
    """A request that needs a logged-in user came without a valid session (401)."""

    status_code = 401


class WrongCredentials(K2LabError):
    """A login with an unknown username or a wrong password (401; never says which)."""

    status_code = 401


class TooManyAttempts(K2LabError):
    """Too many failed logins from one address for one username (429)."""

    status_code = 429

    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, round(retry_after_s / 60))
        super().__init__(
            f"Too many failed logins. Wait about {minutes} minute(s) and try again.",
            field="password",
        )
        self.retry_after_s = retry_after_s


def check_username(text: str) -> str:
    """``text`` as a username (lower case), or a :class:`K2LabError` naming the rule."""
    name = text.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise K2LabError(
            "A username has 3 to 40 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
            field="username",
        )
    if name == LOCAL_USER:
        raise K2LabError(f"'{LOCAL_USER}' is reserved; choose another username.", field="username")
    return name


def check_password(password: str, username: str) -> None:
    """Refuse a password that is too short, too long, or guessable from the username."""
    if len(password) < PASSWORD_MIN:
        raise K2LabError(
            f"A password has at least {PASSWORD_MIN} characters (a few words work well).",
            field="password",
        )
    if len(password) > PASSWORD_MAX:
        raise K2LabError(f"A password has at most {PASSWORD_MAX} characters.", field="password")
    if username and username.lower() in password.lower():
        raise K2LabError("The password must not contain the username.", field="password")
    if len(set(password)) < 4:
        raise K2LabError(
            "The password repeats too few characters; use at least 4 different ones.",
            field="password",
        )


def create_account(s: Session, username: str, password: str) -> User:
    """A new user with a hashed password; a taken username is a :class:`K2LabError`."""
    name = check_username(username)
    check_password(password, name)
    if s.scalars(select(User.id).where(User.username == name)).first() is not None:
        raise K2LabError("This username is taken; choose another one.", field="username")
    user = User(username=name, password_hash=_hasher.hash(password))
    s.add(user)
    s.flush()
    return user


def _verify(stored: str | None, password: str) -> bool:
    if stored is None:
        if not _dummy_hash:
            _dummy_hash.append(_hasher.hash(secrets.token_urlsafe(16)))
        stored = _dummy_hash[0]
        password = ""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(s: Session, username: str, password: str) -> User:
    """The user with this username and password (rehashing an outdated hash), else
    :class:`WrongCredentials`. An unknown username costs the same time as a wrong password."""
    name = username.strip().lower()
    user = s.scalars(select(User).where(User.username == name)).first()
    stored = user.password_hash if user is not None else None
    if not _verify(stored, password[: PASSWORD_MAX * 4]) or user is None or stored is None:
        raise WrongCredentials("Wrong username or password.", field="password")
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes; the store writes UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def start_session(s: Session, user: User) -> tuple[str, dt.datetime]:
    """A new session for ``user``: the cookie's token (stored only as its SHA-256) and its
    expiry. Expired sessions (of anyone) are deleted on the way."""
    now = utcnow()
    s.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(days=SESSION_DAYS)
    s.add(AuthSession(token_hash=_digest(token), user_id=user.id, expires_at=expires))
    s.flush()
    return token, expires


def user_for_token(s: Session, token: str | None) -> User | None:
    """The user of a live session token, else ``None`` (expired sessions are deleted by
    the next login, since a refused request's transaction is rolled back)."""
    if not token or len(token) > 200:
        return None
    row = s.scalars(select(AuthSession).where(AuthSession.token_hash == _digest(token))).first()
    if row is None:
        return None
    if _aware(row.expires_at) <= utcnow():
        return None
    return s.get(User, row.user_id)


def end_session(s: Session, token: str | None) -> None:
    """Log out: delete the session of ``token`` (nothing if there is none)."""
    if token:
        s.execute(delete(AuthSession).where(AuthSession.token_hash == _digest(token)))


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site (``/diary?x=1``), else ``/``: a login link
    must never send the user to another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


class LoginLimiter:
    """At most ``limit`` failed logins per (username, address) within ``window_s`` seconds.

    In memory and per process: enough for one ``k2lab serve`` process. At most
    ``max_keys`` keys are kept (the stalest are forgotten first), so a flood of usernames
    cannot exhaust memory.

    Example
    -------
    >>> limiter = LoginLimiter(limit=2, window_s=60)
    >>> limiter.failed("ada", "1.2.3.4"); limiter.failed("ada", "1.2.3.4")
    >>> limiter.retry_after("ada", "1.2.3.4") > 0, limiter.retry_after("bob", "1.2.3.4")
    (True, 0)
    """

    def __init__(self, *, limit: int = 5, window_s: float = 900.0, max_keys: int = 10_000):
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until this pair may try again (0: it may try now)."""
        key = (username.strip().lower(), address)
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window_s - now) + 1)

    def failed(self, username: str, address: str) -> None:
        """Count one failed login."""
        key = (username.strip().lower(), address)
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            times.append(now)
            self._failures.pop(key, None)
            self._failures[key] = times  # most recent last: the stalest are first
            while len(self._failures) > self.max_keys:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of this pair."""
        with self._lock:
            self._failures.pop((username.strip().lower(), address), None)
