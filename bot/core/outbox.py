"""Outbound events as JSON, so they can wait in the outbox table until the adapter confirms the send.

Only the event and text dataclasses below are known to the decoder: a stored payload can never name
an arbitrary class to build (no pickle).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Literal

from bot.core import events, text
from bot.core.events import (
    AgentCard,
    AgentNotice,
    CommandResponse,
    CustomerReply,
    DraftCard,
    OutboundEvent,
    RatingRequest,
    RetireButtons,
)

KNOWN: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        events.Person,
        events.Place,
        events.Button,
        events.CardField,
        text.Span,
        text.Rich,
        CustomerReply,
        RatingRequest,
        AgentCard,
        DraftCard,
        AgentNotice,
        RetireButtons,
        CommandResponse,
    )
}
Side = Literal["customer", "agents", "private"]
SIDES: dict[type, Side] = {
    CustomerReply: "customer",
    RatingRequest: "customer",
    AgentCard: "agents",
    DraftCard: "agents",
    AgentNotice: "agents",
    RetireButtons: "agents",  # or the customer's, when it carries their place
    CommandResponse: "private",
}


def side(event: OutboundEvent) -> Side:
    if isinstance(event, RetireButtons) and event.place is not None:
        return "customer"
    return SIDES[type(event)]


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__name__, **fields}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        name = value.get("__type__")
        if name not in KNOWN:
            raise ValueError(f"unknown type {name!r} in an outbox payload")
        return KNOWN[name](**{key: _decode(item) for key, item in value.items() if key != "__type__"})
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    return value


def encode(event: OutboundEvent) -> str:
    return json.dumps(_encode(event), ensure_ascii=False)


def decode(payload: str) -> OutboundEvent:
    event = _decode(json.loads(payload))
    if type(event) not in SIDES:
        raise ValueError(f"an outbox payload holds a {type(event).__name__}, not an outbound event")
    return event


@dataclass(frozen=True)
class Outgoing:
    """An outbound event and, when it was written to the outbox, the row to mark sent."""

    event: OutboundEvent
    outbox_id: int | None = None
    inbound_id: int | None = None  # the turn it answers: done once nothing of it is pending
    conversation_id: int | None = None  # items of one conversation go out in order
