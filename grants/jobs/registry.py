"""Job kinds: a name, the function that does the work, and who may request and download it.

A job function takes the ``Job`` and a ``Progress`` and writes its result to the binary file it is given;
it returns (filename, content type), or ("", "") when its result is not a file (an import: ``result`` then gives
the page to open). A function that refuses its input raises ``JobRefused``: the job fails with that message
alone (lines of Japanese, shown as a list), without the worker logging a crash. Registered by the modules that
own the work (``reports``, ``notices``, ``grants.cases.import_job``) in their ``AppConfig.ready`` or at import,
never generated at run time.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Protocol

from grants.accounts.models import User

from .models import Job


class Progress(Protocol):
    def __call__(self, done: int, total: int | None = None) -> None: ...


JobFunction = Callable[[Job, Progress, IO[bytes]], tuple[str, str]]


class JobRefused(Exception):
    """The job's input was refused (a file with errors …); ``str()`` is shown to the user as is, one line each."""


@dataclass(frozen=True)
class JobKind:
    """``result``: for a job done, (label, URL) of the page that shows what it made, or None."""

    name: str
    label: str
    run: JobFunction
    may_request: Callable[[User], bool]
    result: Callable[[Job], tuple[str, str] | None] | None = None


KINDS: dict[str, JobKind] = {}


def city_users_only(user: User) -> bool:
    """``may_request`` of the kinds only city staff may ask for (exports, batch printing)."""
    return user.is_authenticated and user.is_city_user


def register(kind: JobKind) -> JobKind:
    if kind.name in KINDS and KINDS[kind.name] is not kind:
        raise ValueError(f"job kind {kind.name!r} registered twice")
    KINDS[kind.name] = kind
    return kind
