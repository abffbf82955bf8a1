"""Job kinds: a name, the function that does the work, and who may request and download it.

A job function takes the ``Job`` and a ``Progress`` and writes its result to the binary file it is given;
it returns (filename, content type). Registered by the modules that own the work (``reports``, ``notices``)
in their ``AppConfig.ready`` or at import, never generated at run time.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Protocol

from grants.accounts.models import User

from .models import Job


class Progress(Protocol):
    def __call__(self, done: int, total: int | None = None) -> None: ...


JobFunction = Callable[[Job, Progress, IO[bytes]], tuple[str, str]]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: JobFunction
    may_request: Callable[[User], bool]


KINDS: dict[str, JobKind] = {}


def city_users_only(user: User) -> bool:
    """``may_request`` of the kinds only city staff may ask for (exports, batch printing)."""
    return user.is_authenticated and user.is_city_user


def register(kind: JobKind) -> JobKind:
    if kind.name in KINDS and KINDS[kind.name] is not kind:
        raise ValueError(f"job kind {kind.name!r} registered twice")
    KINDS[kind.name] = kind
    return kind
