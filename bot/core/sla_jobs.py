"""Timers on tickets and conversations, run by the scheduler (bot.core.jobs) in every bot process:

- `sla.remind`: an unclaimed ticket whose first reply falls due within `priority.reminder_before_minutes`
  gets one reminder in its thread, mentioning whoever it was routed to;
- `sla.breach`: still unclaimed at its due time: a notice in its thread, the ticket re-announced at the
  top of the agents' room (threads are easy to miss) and its priority raised one step;
- `conversations.idle`: a conversation the bot has, silent for `conversations.idle_close_minutes`, is
  closed (the state machine's `goes_quiet`) and the customer asked for a rating, unless it went quiet
  long before (the bot was down, or this is its first run): a question days later is only noise;
- `report.weekly`: the week's digest (automation, deflection, escalation, CSAT, SLA, gaps, audited
  accuracy, drift warnings: `bot.reporting.digest`, given to the bot by the runtime; `/stats 7` without it)
  in the agents' room at `reports.weekday`, `hour_utc`.

Once only: the scheduler's lease lets one process run each job per tick, and every effect is also a
compare-and-set in the transaction that queues its messages (a `sla_*_at` column still empty, the
conversation still with the bot, the report's slot not yet marked), so a second run, on any process
and at any clock, finds nothing left to do. Messages go through the outbox, so a crash never loses them.
Jobs judge time by the scheduler's `now`, which tests move.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.core import stats
from bot.core.events import AgentNotice
from bot.core.jobs import job
from bot.core.priority import raised
from bot.core.replies import ask_for_rating, ticket_buttons
from bot.core.routing import mention_of
from bot.core.states import GOES_QUIET, ConversationState, TicketState
from bot.core.store import ConversationStore
from bot.core.text import Rich, Span, join, rich
from bot.core.work import Work
from bot.storage.tables import Conversation, JobLease, Ticket, aware

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.sla")
BATCH = 200  # rows one run takes on; the rest wait a minute
LATE = dt.timedelta(days=1)  # a conversation found quiet this long after it should have closed is closed unasked
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REPORT_MARK = "report.weekly.slot"  # a job_lease row whose due_at is the slot last reported


async def _each(bot: SupportBot, writes: Sequence[Callable[[Work], bool]]) -> int:
    """One transaction per ticket or conversation, delivered as it commits; how many took effect."""
    done = 0
    for write in writes:
        took, outgoing = await bot.commit(write)
        await bot.deliver(outgoing)
        done += took
    return done


def _hhmm(when: dt.datetime) -> str:
    return aware(when).strftime("%H:%M UTC")


def _with(text: str, ping: Span | None) -> Rich:
    return join([text, " ", ping]) if ping is not None else rich(text)


# SLA ----------------------------------------------------------------------------------------------


def _unclaimed(store: ConversationStore, until: dt.datetime, unreminded: bool) -> list[Ticket]:
    """Open tickets due by `until` and not yet overdue-announced, soonest first."""
    query = select(Ticket).where(
        Ticket.status == TicketState.OPEN,
        col(Ticket.due_at).is_not(None),
        col(Ticket.due_at) <= until,
        col(Ticket.sla_breached_at).is_(None),
    )
    if unreminded:
        query = query.where(col(Ticket.sla_reminded_at).is_(None))
    with store.session() as session:
        return list(session.exec(query.order_by(col(Ticket.due_at)).limit(BATCH)).all())


def _first(work: Work, ticket_id: int, column: str, now: dt.datetime, **changes: object) -> bool:
    """Stamp `column` if it is still empty and nobody has the ticket: True for the one run that did."""
    stamped = work.session.execute(
        update(Ticket)
        .where(
            col(Ticket.id) == ticket_id,
            col(getattr(Ticket, column)).is_(None),
            col(Ticket.status) == TicketState.OPEN,
            col(Ticket.first_response_at).is_(None),
        )
        .values({column: now, **changes})
    )
    return bool(stamped.rowcount == 1)  # type: ignore[attr-defined]


def _remind(bot: SupportBot, ticket: Ticket, now: dt.datetime, work: Work) -> bool:
    assert ticket.id is not None and ticket.due_at is not None
    if not _first(work, ticket.id, "sla_reminded_at", now):
        return False
    left = max(1, round((aware(ticket.due_at) - now).total_seconds() / 60))
    text = f"Reminder: nobody has claimed this ticket; its first reply is due at {_hhmm(ticket.due_at)} (in {left} min)."
    notice = AgentNotice(_with(text, mention_of(bot.roster, ticket.routed_to)), ticket.id, ticket.agent_thread_id)
    work.send(notice, ticket.conversation_id, ticket_id=ticket.id)
    log.info("sla.reminded ticket=%s due=%s", ticket.id, aware(ticket.due_at).isoformat())
    return True


@job("sla.remind", dt.timedelta(minutes=1))
async def remind(bot: SupportBot, now: dt.datetime) -> int:
    """A reminder in the thread of each unclaimed ticket whose first reply falls due soon."""
    ahead = {level: dt.timedelta(minutes=m) for level, m in bot.policy.priority.reminder_before_minutes.items()}
    due = await bot.db(_unclaimed, bot.store, now + max(ahead.values(), default=dt.timedelta(0)), True)
    soon = [t for t in due if t.due_at and aware(t.due_at) - ahead.get(t.priority, dt.timedelta(0)) <= now < aware(t.due_at)]  # type: ignore[call-overload]
    return await _each(bot, [functools.partial(_remind, bot, t, now) for t in soon])


def _breach(bot: SupportBot, ticket: Ticket, now: dt.datetime, work: Work) -> bool:
    assert ticket.id is not None and ticket.due_at is not None
    level = raised(ticket.priority)
    if not _first(work, ticket.id, "sla_breached_at", now, priority=level):
        return False
    ping = mention_of(bot.roster, ticket.routed_to)
    due = _hhmm(ticket.due_at)
    overdue = _with(f"First reply overdue (due {due}): priority raised to {level}.", ping)
    work.send(AgentNotice(overdue, ticket.id, ticket.agent_thread_id), ticket.conversation_id, ticket_id=ticket.id)
    about = f" ({ticket.intent})" if ticket.intent else ""
    top = AgentNotice(_with(f"still unclaimed{about}, first reply overdue since {due}; now {level.upper()}.", ping), ticket.id)
    work.send(top, ticket.conversation_id, ticket_id=ticket.id)  # no thread: the top of the room names the ticket
    work.update_card(ticket.id, f"First reply overdue: priority raised to {level}.", ticket_buttons(ticket.id))
    log.info("sla.breached ticket=%s priority=%s", ticket.id, level)
    return True


@job("sla.breach", dt.timedelta(minutes=1))
async def breach(bot: SupportBot, now: dt.datetime) -> int:
    """Unclaimed tickets past their first-reply due time: announced again, one priority step up."""
    due = await bot.db(_unclaimed, bot.store, now, False)
    return await _each(bot, [functools.partial(_breach, bot, t, now) for t in due])


# Idle conversations -------------------------------------------------------------------------------


def _quiet(store: ConversationStore, cutoff: dt.datetime) -> list[Conversation]:
    with store.session() as session:
        query = select(Conversation).where(Conversation.status == ConversationState.BOT, col(Conversation.updated_at) <= cutoff)
        return list(session.exec(query.order_by(col(Conversation.updated_at)).limit(BATCH)).all())


def _close(conversation: Conversation, cutoff: dt.datetime, ask: bool, work: Work) -> bool:
    """`goes_quiet` as a compare-and-set that also checks the silence: a message that came in since wins."""
    assert conversation.id is not None
    closed = work.session.execute(
        update(Conversation)
        .where(
            col(Conversation.id) == conversation.id,
            col(Conversation.status).in_(GOES_QUIET.sources),
            col(Conversation.updated_at) <= cutoff,
        )
        .values(status=GOES_QUIET.target)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if ask:
        ask_for_rating(work, conversation)
    log.info("conversation.idle_closed conversation=%s asked=%s", conversation.id, ask)
    return True


@job("conversations.idle", dt.timedelta(minutes=1))
async def close_idle(bot: SupportBot, now: dt.datetime) -> int:
    """Conversations the bot has that went quiet: closed, with the rating question."""
    cutoff = now - dt.timedelta(minutes=bot.policy.conversations.idle_close_minutes)
    quiet = await bot.db(_quiet, bot.store, cutoff)
    writes = [functools.partial(_close, c, cutoff, aware(c.updated_at) > cutoff - LATE) for c in quiet]
    return await _each(bot, writes)


# Weekly report ------------------------------------------------------------------------------------


def slot(now: dt.datetime, weekday: str, hour: int) -> dt.datetime:
    """The latest `weekday` at `hour`:00 UTC at or before `now`."""
    at = now.astimezone(dt.UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    at -= dt.timedelta(days=(at.weekday() - WEEKDAYS.index(weekday)) % 7)
    return at - dt.timedelta(days=7) if at > now else at


def _report(bot: SupportBot, current: dt.datetime, now: dt.datetime, work: Work) -> bool:
    """Post the report for `current` unless it was posted; the first run only starts the schedule (a bot
    started mid-week reports at the next slot, not at once)."""
    if work.session.get(JobLease, REPORT_MARK) is None:
        work.add(JobLease(name=REPORT_MARK, holder="report.weekly", due_at=current, last_run_at=now))
        return False
    marked = work.session.execute(
        update(JobLease)
        .where(col(JobLease.name) == REPORT_MARK, col(JobLease.due_at) < current)
        .values(due_at=current, last_run_at=now)
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if bot.weekly_digest is not None:  # the full report's digest (bot.reporting), wired by the runtime
        numbers = bot.weekly_digest(work.session, now)
    else:
        numbers = stats.compute(work.session, 7).render(bot.tiers.all(), bot.policy.approval)
    work.send(AgentNotice(rich(f"Weekly report, week of {current:%Y-%m-%d}:\n{numbers}")))
    log.info("report.weekly_posted slot=%s", current.isoformat())
    return True


@job("report.weekly", dt.timedelta(minutes=5))
async def weekly_report(bot: SupportBot, now: dt.datetime) -> int:
    """The week's numbers to the agents' room, once a week."""
    reports = bot.policy.reports
    if not reports.weekly:
        return 0
    try:
        return await _each(bot, [functools.partial(_report, bot, slot(now, reports.weekday, reports.hour_utc), now)])
    except IntegrityError:  # another process started the schedule at the same moment
        return 0
