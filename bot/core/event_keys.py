"""What makes two inbound events the same conversation's (their lock key) or the same event twice (their
receipt), and a short, text-free name for a failed send.

Customer and agent messages carry no receipt here: their stored `Message`, unique by platform id, is one
(and a customer turn also records how far it got, so a turn a process died on runs again).
"""

from __future__ import annotations

import hashlib
from typing import Any

from bot.core.events import AgentMessage, ButtonPress, CustomerMessage, InboundEvent, MessageChanged, SlashCommand


def lock_key(event: InboundEvent) -> str:
    """Events that touch the same conversation or ticket are handled one at a time, in arrival order."""
    if isinstance(event, CustomerMessage | MessageChanged):
        return f"customer:{event.customer.key}"
    if isinstance(event, AgentMessage):
        return f"ticket:{event.ticket_id or event.agent_thread_id}"
    if isinstance(event, ButtonPress):
        kind = event.action.split(".")[0]
        return f"{kind}:{event.value.split(':')[0]}" if kind in ("ticket", "draft") else f"customer:{event.user.key}"
    return f"admin:{event.user.key}"


def receipt_of(event: InboundEvent) -> tuple[str, str] | None:
    """(platform, event id) for events that need a receipt to be handled once; None for the others."""
    if isinstance(event, ButtonPress):
        return event.user.platform, _storable(f"press/{event.press_id}")
    if isinstance(event, SlashCommand) and event.command_id:
        return event.user.platform, _storable(f"command/{event.command_id}")
    if isinstance(event, MessageChanged):
        change = _digest(f"{event.deleted}\x00{event.text}")
        return event.customer.platform, _storable(f"edit/{change}/{event.message_id}")
    return None


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _storable(event_id: str) -> str:
    """The id as the receipt column can hold it: an overlong one, or one with a NUL byte (PostgreSQL
    refuses those in text), is replaced by its digest, so distinct ids stay distinct."""
    if len(event_id) <= 200 and "\x00" not in event_id:
        return event_id
    return f"digest/{_digest(event_id)}"


def error_code(exc: BaseException) -> str:
    """The exception's type and the platform's status or error code, never its message (which may
    quote what was being sent)."""
    details = [str(getattr(exc, name)) for name in ("status", "code") if isinstance(getattr(exc, name, None), int | str)]
    response: Any = getattr(exc, "response", None)
    error = response.get("error") if callable(getattr(response, "get", None)) else None  # slack_sdk's SlackApiError
    if isinstance(error, str):
        details.append(error)
    return " ".join([type(exc).__name__, *details])[:200]
