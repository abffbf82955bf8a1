"""Acts on the rail that send a message (filled in below): (machine, edge) → a builder of the messages."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grants.core.workflow import Act

from .services import notify


@dataclass(frozen=True)
class Message:
    event: str
    recipients: list[Any]
    subject: str
    body: str
    url: str


Builder = Callable[[Act[Any]], "Message | None"]
RAIL: dict[tuple[str, str], Builder] = {}


def on_act(act: Act[Any]) -> None:
    """The listener of every act (``workflow.listen``): the act's messages, written in its transaction."""
    build = RAIL.get((act.machine.name, act.edge.name))
    if build is None:
        return
    message = build(act)
    if message is None:
        return
    recipients = [r for r in message.recipients if isinstance(r, str) or act.actor is None or r.pk != act.actor.pk]
    if recipients:
        notify(event=message.event, recipients=recipients, subject=message.subject, body=message.body,
               url=message.url)
