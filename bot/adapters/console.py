"""The console adapter: the whole bot in one terminal, with the customer's view and the agents'
channel side by side in one stream (agents' lines are boxed). Switch roles to act as each side.

    :customer / :agent / :admin   switch who you are typing as (:help lists everything)
    #N                            press button N of the last message that had buttons
    /COMMAND ARGS                 a slash command (admin commands; refused for non-admins)
    as agent: claim T · reply T TEXT · note T TEXT · resolve T · handback T
              approve D · edit D TEXT · reject D
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from bot.core.adapter import EventSink
from bot.core.events import (
    AgentCard,
    AgentMessage,
    AgentNotice,
    Button,
    ButtonPress,
    CommandResponse,
    CustomerMessage,
    CustomerProfile,
    CustomerReply,
    DraftCard,
    InboundEvent,
    OutboundEvent,
    Person,
    Place,
    RatingRequest,
    RetireButtons,
    SlashCommand,
)
from bot.core.ids import parse_id
from bot.core.text import Rich, Span

_HIDDEN = dict.fromkeys([*range(0, 9), *range(11, 32), 127, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])

PLATFORM = "console"
CUSTOMER = Person(PLATFORM, "customer", "Casey (customer)")
AGENT = Person(PLATFORM, "agent", "Sam")
ADMIN = Person(PLATFORM, "admin", "Alex (admin)")
ROLES = {"customer": CUSTOMER, "agent": AGENT, "admin": ADMIN}
PLACE = Place(PLATFORM, "dm-casey")
AGENTS_ROOM = Place(PLATFORM, "agents", agents_room=True)
AGENT_VERBS = {
    "claim": "ticket.claim",
    "resolve": "ticket.resolve",
    "handback": "ticket.handback",
    "approve": "draft.approve",
    "reject": "draft.reject",
    "edit": "draft.edit",
}


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines() or [""])


def _buttons(buttons: tuple[Button, ...], start: int) -> str:
    return "  ".join(f"[#{start + i} {b.label}]" for i, b in enumerate(buttons))


def _span(span: Span) -> str:
    if not span.untrusted:
        if span.style == "quote":
            return f" “{span.text}”"
        return span.text if span.style != "link" or span.url == span.text else f"{span.text} <{span.url}>"
    flat = " ⏎ ".join(span.text.translate(_HIDDEN).splitlines())  # one line: it cannot pose as a line of ours
    return f"“{flat}”" if span.style == "quote" else flat


def render(text: Rich | str) -> str:
    """Plain terminal text; a customer's words stay on one quoted line."""
    return text if isinstance(text, str) else "".join(_span(s) for s in text.spans)


@dataclass
class ConsoleAdapter:
    """`lines` yields what the person types (stdin by default); output goes to `out`."""

    profile: CustomerProfile = field(default_factory=CustomerProfile)
    out: TextIO = field(default_factory=lambda: sys.stdout)
    read_line: Callable[[str], str] = input
    name: str = "console"
    role: str = "customer"
    _buttons: list[tuple[Person, Button]] = field(default_factory=list)
    _buttons_ref: str | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])  # ids unique across runs on one database
    _stopped: bool = False

    def print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def run(self, sink: EventSink) -> None:
        self.print("supportbot console. You are the customer; :agent and :admin switch sides, :help explains, Ctrl-D quits.")
        while not self._stopped:
            try:
                line = await asyncio.to_thread(self.read_line, f"{self.role}> ")
            except EOFError:
                self.print("")
                return
            event = self.parse(line.strip())
            if event is not None:
                await sink(event)

    def _id(self, kind: str) -> str:
        return f"{kind}-{self._run}-{next(self._ids)}"

    async def stop(self) -> None:
        self._stopped = True

    def parse(self, line: str) -> InboundEvent | None:
        """One typed line as an inbound event; console-only commands are handled here."""
        person = ROLES[self.role]
        if line.startswith(":"):
            word = line[1:].strip().lower()
            if word in ROLES:
                self.role = word
                self.print(f"  (you are now the {word})")
            elif word in ("quit", "exit"):
                self._stopped = True
            else:
                self.print(_indent((__doc__ or "").split("\n\n", 1)[1].rstrip(), ""))
            return None
        if line.startswith("#") and parse_id(line[1:]) is not None:
            number = int(line[1:]) - 1
            if not 0 <= number < len(self._buttons):
                self.print(f"  (no button #{number + 1}; buttons shown are #1–#{len(self._buttons)})")
                return None
            owner, button = self._buttons[number]
            text = None
            if button.action == "draft.edit":
                text = self.read_line("edited text> ")
            where = PLACE if self.role == "customer" else AGENTS_ROOM
            return ButtonPress(
                self._id("press"), owner if self.role == "customer" else person, button.action, button.value, text, where
            )
        if line.startswith("/"):
            name, _, arguments = line[1:].partition(" ")
            return SlashCommand(person, name, arguments, AGENTS_ROOM if self.role != "customer" else PLACE)
        if self.role == "agent":
            return self._agent(line)
        if self.role == "admin":
            self.print("  (admins type /commands; :customer or :agent to chat)")
            return None
        return CustomerMessage(self._id("console"), CUSTOMER, PLACE, line, self.profile)

    def _agent(self, line: str) -> InboundEvent | None:
        verb, _, rest = line.partition(" ")
        target, _, text = rest.strip().partition(" ")
        ticket = parse_id(target)
        if verb in ("reply", "note") and ticket is not None and text.strip():
            return AgentMessage(self._id("console"), AGENT, text.strip(), verb == "note", ticket, place=AGENTS_ROOM)
        if verb in AGENT_VERBS and ticket is not None:
            return ButtonPress(self._id("press"), AGENT, AGENT_VERBS[verb], target, text.strip() or None, AGENTS_ROOM)
        self.print(
            "  (as agent: claim T · reply T TEXT · note T TEXT · resolve T · handback T · approve D · edit D TEXT · reject D)"
        )
        return None

    async def send(self, event: OutboundEvent) -> str | None:
        render = RENDERERS[type(event)]
        return render(self, event)

    def _offer(self, owner: Person, buttons: tuple[Button, ...]) -> str:
        self._buttons = [(owner, b) for b in buttons]
        self._buttons_ref = f"console-out-{next(self._ids)}"
        return _buttons(buttons, 1)


def _customer_reply(adapter: ConsoleAdapter, event: CustomerReply) -> str | None:
    who = f"{event.author} (agent)" if event.author else "bot"
    adapter.print(_indent(render(event.text), "        ").replace("        ", f"{who}> ".ljust(8), 1))
    if event.buttons:
        adapter.print("        " + adapter._offer(CUSTOMER, event.buttons))
        return adapter._buttons_ref
    return None


def _rating(adapter: ConsoleAdapter, event: RatingRequest) -> str | None:
    adapter.print(f"bot>    {render(event.text)}")
    adapter.print("        " + adapter._offer(CUSTOMER, event.buttons))
    return adapter._buttons_ref


def _card(adapter: ConsoleAdapter, event: AgentCard) -> str | None:
    lines = [event.title, *(f"{f.label}: {render(f.value)}" for f in event.fields)]
    for heading, body in event.sections:
        lines += ["", f"{heading}:", render(body)]
    adapter.print(_indent("\n".join(lines), "  │ #agents  "))
    adapter.print(
        "  │ #agents  " + adapter._offer(AGENT, event.buttons) + f"   (or: claim {event.ticket_id}, reply {event.ticket_id} …)"
    )
    return f"ticket-{event.ticket_id}"


def _draft(adapter: ConsoleAdapter, event: DraftCard) -> str | None:
    adapter.print(f"  │ #agents  Draft #{event.draft_id} for review · {event.intent} ({event.confidence:.0%})")
    adapter.print(f"  │ #agents  customer asked: {render(Rich((Span(event.customer_text, 'quote', untrusted=True),)))}")
    adapter.print(_indent(render(event.draft_text), "  │ #agents  > "))
    adapter.print("  │ #agents  " + adapter._offer(AGENT, event.buttons))
    return adapter._buttons_ref


def _notice(adapter: ConsoleAdapter, event: AgentNotice) -> str | None:
    where = f"ticket #{event.ticket_id}: " if event.ticket_id else ""
    adapter.print(_indent(f"{where}{render(event.text)}", "  │ #agents  "))
    if event.buttons:  # a verdict asked for (the quality sample's Good / Bad)
        adapter.print("  │ #agents  " + adapter._offer(AGENT, event.buttons))
        return adapter._buttons_ref
    return None


def _retire(adapter: ConsoleAdapter, event: RetireButtons) -> str | None:
    """Stale buttons stop working: the console forgets them if they are the ones on offer."""
    if event.ref == adapter._buttons_ref:
        adapter._buttons = []
        note = f": {render(event.note)}" if event.note else ""
        adapter.print(f"        (the buttons above no longer apply{note})")
    return None


def _response(adapter: ConsoleAdapter, event: CommandResponse) -> str | None:
    mark = "" if event.ok else "✗ "
    adapter.print(_indent(mark + event.text, "  (only you) "))
    return None


RENDERERS: dict[type, Callable[[ConsoleAdapter, object], str | None]] = {
    CustomerReply: _customer_reply,  # type: ignore[dict-item]
    RatingRequest: _rating,  # type: ignore[dict-item]
    AgentCard: _card,  # type: ignore[dict-item]
    DraftCard: _draft,  # type: ignore[dict-item]
    AgentNotice: _notice,  # type: ignore[dict-item]
    RetireButtons: _retire,  # type: ignore[dict-item]
    CommandResponse: _response,  # type: ignore[dict-item]
}
