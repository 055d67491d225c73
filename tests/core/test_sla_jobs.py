"""Routing and the timers through the whole bot, on a clock the test moves: the card mentions the routed
agent, an unclaimed ticket is reminded once and breached once (priority up, announced again), a quiet
conversation is closed and asked for a rating once, the weekly report goes out once; two processes on
one database ticking at the same clock act once. Real SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.core import sla_jobs
from bot.core.events import AgentCard, AgentNotice, Person, RatingRequest
from bot.core.jobs import JOBS, Scheduler
from bot.core.priority import raised
from bot.core.replies import RATING_TEXT
from bot.core.roster import Roster, load_roster
from bot.core.text import Rich
from bot.storage.tables import Ticket, aware, utcnow
from tests.core.conftest import BotFactory
from tests.core.harness import ALICE, BOB, KIM, SAM, Harness
from tests.core.test_two_processes import together

AGENTS = frozenset({SAM.key, KIM.key})
REFUND = "I'd like a refund for this month please"  # the human tier: a ticket at once
QUESTION = "how do I export a project to csv"  # answered by the bot
MESSAGE_IDS = itertools.count()


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def roster(tmp_path: Path) -> Roster:
    path = tmp_path / "agents.yaml"
    path.write_text(
        "groups:\n"
        "  billing: {intents: [refund_request, billing_question, billing_dispute, invoice_copy], mention: '@billing-team'}\n"
        "agents:\n"
        "  - {id: 'test:sam', name: Sam, groups: [billing]}\n"
        "  - {id: 'test:kim', name: Kim, groups: [billing]}\n",
        encoding="utf-8",
    )
    return load_roster(path)


def desk(new_bot: BotFactory, roster: Roster) -> Harness:
    """A bot process with the agents file loaded."""
    harness = new_bot(agents=AGENTS)
    harness.bot.roster = roster
    return harness


def open_ticket(chat: Harness, who: Person = ALICE) -> tuple[AgentCard, Ticket]:
    chat.say(REFUND, who=who, message_id=f"refund-{next(MESSAGE_IDS)}")  # ids unique across the test's processes
    chat.customer_sees()
    card = chat.only_card()
    ticket = chat.bot.store.ticket(card.ticket_id)
    assert ticket is not None and ticket.due_at is not None
    return card, ticket


def timers(chat: Harness, clock: Clock, *names: str, holder: str = "p1") -> Scheduler:
    return Scheduler(chat.bot, {name: JOBS[name] for name in names}, clock=clock, holder=holder)


def run(chat: Harness, work: Coroutine[Any, Any, Any]) -> Any:
    return chat.loop.run_until_complete(work)


def tick(chat: Harness, scheduler: Scheduler) -> dict[str, int]:
    return run(chat, scheduler.run_due())


def mentions(text: Rich) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.text, s.targets) for s in text.spans if s.style == "mention"]


def notices(*harnesses: Harness) -> list[AgentNotice]:
    seen = [item for h in harnesses for item in h.agents_see()]
    assert all(isinstance(item, AgentNotice) for item in seen), seen
    return seen  # type: ignore[return-value]


# Routing on the card ------------------------------------------------------------------------------


def test_a_new_ticket_mentions_the_routed_agent_and_the_next_goes_to_the_less_loaded(new_bot: BotFactory, roster: Roster) -> None:
    chat = desk(new_bot, roster)
    card, ticket = open_ticket(chat)
    routed = {f.label: f.value for f in card.fields}["Routed to"]
    assert mentions(routed) == [("@Sam", ("test:sam",))]
    assert "handles refund_request; 0 open" in str(routed)
    assert ticket.routed_to == "test:sam"
    _, second = open_ticket(chat, BOB)  # Sam has one open ticket now
    assert second.routed_to == "test:kim"


def test_whose_turn_it_is_is_read_from_the_tickets_so_another_process_continues(new_bot: BotFactory, roster: Roster) -> None:
    one, two = desk(new_bot, roster), desk(new_bot, roster)
    _, first = open_ticket(one)
    one.click("ticket.resolve", str(first.id), who=SAM)  # Sam is back to no open tickets
    _, second = open_ticket(two, BOB)  # equal load: Kim was routed to less recently (never)
    assert (first.routed_to, second.routed_to) == ("test:sam", "test:kim")


def test_without_an_agents_file_the_card_has_no_routing(chat: Harness) -> None:
    card, ticket = open_ticket(chat)
    assert ticket.routed_to is None and "Routed to" not in {f.label for f in card.fields}


# SLA ----------------------------------------------------------------------------------------------


def test_an_unclaimed_ticket_is_reminded_once_then_breached_once(new_bot: BotFactory, roster: Roster) -> None:
    chat = desk(new_bot, roster)
    _, ticket = open_ticket(chat)
    assert ticket.id is not None and ticket.due_at is not None
    due = aware(ticket.due_at)
    ahead = dt.timedelta(minutes=chat.bot.policy.priority.reminder_before_minutes[ticket.priority])  # type: ignore[index]
    clock = Clock(due - ahead - dt.timedelta(minutes=1))
    scheduler = timers(chat, clock, "sla.remind", "sla.breach")
    assert tick(chat, scheduler) == {"sla.remind": 0, "sla.breach": 0}
    assert chat.agents_see() == []

    clock.now = due - ahead + dt.timedelta(seconds=30)
    assert tick(chat, scheduler)["sla.remind"] == 1
    [reminder] = notices(chat)
    assert reminder.agent_thread_id == f"thread-{ticket.id}"  # in the ticket's thread
    assert "nobody has claimed this ticket" in str(reminder.text) and mentions(reminder.text) == [("@Sam", ("test:sam",))]
    assert run(chat, sla_jobs.remind(chat.bot, clock.now)) == 0  # the same run again, no lease in the way: nothing
    clock.now += dt.timedelta(minutes=1)
    assert tick(chat, scheduler)["sla.remind"] == 0
    assert chat.agents_see() == []

    edits = len(chat.retired)
    clock.now = due + dt.timedelta(seconds=30)
    assert tick(chat, scheduler)["sla.breach"] == 1
    level = raised(ticket.priority)
    in_thread, top = notices(chat)
    assert in_thread.agent_thread_id == f"thread-{ticket.id}" and f"priority raised to {level}" in str(in_thread.text)
    assert (top.ticket_id, top.agent_thread_id) == (ticket.id, None)  # re-announced at the top of the room
    assert "still unclaimed" in str(top.text) and mentions(top.text) == [("@Sam", ("test:sam",))]
    [card_edit] = chat.retired[edits:]
    assert "First reply overdue" in str(card_edit.note) and "Claim" in [b.label for b in card_edit.keep]
    stored = chat.bot.store.ticket(ticket.id)
    assert stored is not None and stored.priority == level and stored.sla_breached_at is not None
    assert run(chat, sla_jobs.breach(chat.bot, clock.now + dt.timedelta(hours=1))) == 0
    clock.now += dt.timedelta(hours=1)
    assert tick(chat, scheduler) == {"sla.remind": 0, "sla.breach": 0}
    assert chat.agents_see() == []


def test_a_claimed_ticket_is_neither_reminded_nor_breached(new_bot: BotFactory, roster: Roster) -> None:
    chat = desk(new_bot, roster)
    _, ticket = open_ticket(chat)
    chat.click("ticket.claim", str(ticket.id), who=KIM)
    chat.agents_see()
    assert ticket.due_at is not None
    clock = Clock(aware(ticket.due_at) - dt.timedelta(minutes=1))
    scheduler = timers(chat, clock, "sla.remind", "sla.breach")
    assert tick(chat, scheduler) == {"sla.remind": 0, "sla.breach": 0}
    clock.now += dt.timedelta(minutes=5)
    assert tick(chat, scheduler) == {"sla.remind": 0, "sla.breach": 0}
    assert chat.agents_see() == []


# Idle conversations -------------------------------------------------------------------------------


def status_of(chat: Harness, conversation_id: int) -> str:
    conversation = chat.bot.store.conversation(conversation_id)
    assert conversation is not None
    return conversation.status


def test_a_quiet_conversation_is_closed_with_the_rating_question_once(chat: Harness) -> None:
    chat.say(QUESTION)
    assert chat.customer_sees()
    idle = dt.timedelta(minutes=chat.bot.policy.conversations.idle_close_minutes)
    clock = Clock(utcnow() + idle - dt.timedelta(minutes=1))
    scheduler = timers(chat, clock, "conversations.idle")
    assert tick(chat, scheduler) == {"conversations.idle": 0}
    clock.now += dt.timedelta(minutes=2)
    assert tick(chat, scheduler) == {"conversations.idle": 1}
    [question] = chat.customer_inbox
    assert isinstance(question, RatingRequest) and chat.customer_sees() == [RATING_TEXT]
    assert status_of(chat, question.conversation_id) == "closed"
    assert run(chat, sla_jobs.close_idle(chat.bot, clock.now)) == 0
    clock.now += dt.timedelta(minutes=1)
    assert tick(chat, scheduler) == {"conversations.idle": 0}
    assert chat.customer_sees() == []
    chat.press("5")
    assert chat.customer_sees() == ["Thanks for rating us 5/5!"]
    chat.say(QUESTION)  # a new conversation
    assert status_of(chat, question.conversation_id + 1) == "bot"


def test_a_conversation_found_long_after_it_went_quiet_is_closed_without_asking(chat: Harness) -> None:
    chat.say(QUESTION)
    chat.customer_sees()
    idle = dt.timedelta(minutes=chat.bot.policy.conversations.idle_close_minutes)
    clock = Clock(utcnow() + idle + sla_jobs.LATE + dt.timedelta(minutes=1))  # the bot was down for a day
    assert tick(chat, timers(chat, clock, "conversations.idle")) == {"conversations.idle": 1}
    assert chat.customer_sees() == []
    assert status_of(chat, 1) == "closed"


def test_a_conversation_with_an_agent_is_not_closed_for_silence(new_bot: BotFactory, roster: Roster) -> None:
    chat = desk(new_bot, roster)
    open_ticket(chat)
    clock = Clock(utcnow() + dt.timedelta(days=3))
    assert tick(chat, timers(chat, clock, "conversations.idle")) == {"conversations.idle": 0}
    assert status_of(chat, 1) == "waiting_agent"


# Weekly report ------------------------------------------------------------------------------------


def test_the_weekly_report_goes_to_the_agents_room_once_a_week_from_two_processes(new_bot: BotFactory) -> None:
    one, two = new_bot(), new_bot()
    one.say(QUESTION)
    now = utcnow()
    monday = sla_jobs.slot(now, "mon", 9) + dt.timedelta(days=7)
    clock = Clock(now)
    schedulers = [timers(h, clock, "report.weekly", holder=f"p{n}") for n, h in enumerate((one, two))]

    def both() -> None:
        together(lambda: tick(one, schedulers[0]), lambda: tick(two, schedulers[1]))

    both()  # the first run starts the schedule: a bot started mid-week reports at the next slot
    assert notices(one, two) == []
    clock.now = monday + dt.timedelta(minutes=2)
    both()
    [report] = notices(one, two)
    assert (report.ticket_id, report.agent_thread_id) == (None, None)
    assert str(report.text).startswith(f"Weekly report, week of {monday:%Y-%m-%d}:\nLast 7 days: 1 conversations")
    clock.now += dt.timedelta(hours=1)
    both()
    assert run(one, sla_jobs.weekly_report(one.bot, clock.now)) == 0
    assert notices(one, two) == []
    clock.now = monday + dt.timedelta(days=7, minutes=1)
    both()
    assert len(notices(one, two)) == 1


# Two processes ------------------------------------------------------------------------------------


def test_two_processes_ticking_at_the_same_clock_act_once(new_bot: BotFactory, roster: Roster) -> None:
    one, two = desk(new_bot, roster), desk(new_bot, roster)
    _, ticket = open_ticket(one)
    two.say(QUESTION, who=BOB, message_id="bob-question")
    two.customer_sees()
    assert ticket.due_at is not None
    due = aware(ticket.due_at)
    clock = Clock(due - dt.timedelta(minutes=1))
    names = ("sla.remind", "sla.breach", "conversations.idle")
    schedulers = [timers(h, clock, *names, holder=f"p{n}") for n, h in enumerate((one, two))]

    def both() -> list[dict[str, int]]:
        return together(lambda: tick(one, schedulers[0]), lambda: tick(two, schedulers[1]))

    ran = both()  # each job's lease goes to one of them
    assert sorted(name for r in ran for name in r) == sorted(names)
    assert len(notices(one, two)) == 1  # the reminder

    # Without the lease (each process calls the job itself, at once), the compare-and-set still decides.
    breached = together(
        lambda: run(one, sla_jobs.breach(one.bot, due + dt.timedelta(seconds=1))),
        lambda: run(two, sla_jobs.breach(two.bot, due + dt.timedelta(seconds=1))),
    )
    assert sorted(breached) == [0, 1]
    assert len(notices(one, two)) == 2  # in the thread, and at the top of the room

    clock.now = utcnow() + dt.timedelta(minutes=chat_idle(one) + 1)
    both()
    asked = [item for h in (one, two) for item in h.customer_inbox if isinstance(item, RatingRequest)]
    assert len(asked) == 1  # Bob's quiet conversation; Alice's is with the agents
    closed = together(
        lambda: run(one, sla_jobs.close_idle(one.bot, clock.now)), lambda: run(two, sla_jobs.close_idle(two.bot, clock.now))
    )
    assert closed == [0, 0]


def chat_idle(chat: Harness) -> int:
    return chat.bot.policy.conversations.idle_close_minutes


def test_the_weekly_report_is_the_reporting_digest_when_the_runtime_gives_one(new_bot: BotFactory) -> None:
    """The runtime hands the bot `bot.reporting.digest.weekly_digest`; the core only calls it."""
    from bot.reporting.digest import weekly_digest

    chat = new_bot()
    chat.say(QUESTION)
    chat.bot.weekly_digest = lambda session, now: weekly_digest(session, now, chat.bot.policy)
    clock = Clock(utcnow())
    scheduler = timers(chat, clock, "report.weekly")
    tick(chat, scheduler)  # starts the schedule
    clock.now = sla_jobs.slot(clock.now, "mon", 9) + dt.timedelta(days=7, minutes=2)
    tick(chat, scheduler)
    [report] = notices(chat)
    assert "Automation" in str(report.text) and "deflection" in str(report.text)
