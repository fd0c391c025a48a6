"""Who is acting, for the audit trail, without threading the request through every call.

The web middleware sets it per request; DRF views set it again after token
authentication (which happens after middleware); Celery tasks set it from the run's
requester.
"""

import contextlib
import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object | None
    remote_addr: str | None = None


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def current_actor() -> Actor | None:
    return _current.get()


def set_actor(user, remote_addr: str | None = None) -> contextvars.Token:
    return _current.set(
        Actor(user if user is not None and user.is_authenticated else None, remote_addr)
    )


def reset_actor(token: contextvars.Token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def acting_as(user, remote_addr: str | None = None):
    token = set_actor(user, remote_addr)
    try:
        yield
    finally:
        reset_actor(token)


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
