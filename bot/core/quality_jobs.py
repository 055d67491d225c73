"""The weekly quality sample: a random draw of last week's automated answers, each posted to the agents'
room with what the customer asked, what the bot answered and from which article, and Good / Bad buttons.

- `quality.sample` (shared: one process draws, once a week): `quality.sample_size` answers (policy)
  among the week's `answered` decisions not drawn before, in one transaction with their cards, so a
  crash or a second scheduler never posts an answer twice (the review's decision id is unique);
- `quality.good` / `quality.bad` (agent buttons: agents only, from the agents' room): the first verdict
  on an answer is kept, the card's buttons are retired with who judged it, and a Bad is a knowledge-gap
  event (`quality_bad`) for `supportbot kb gaps` and the report.

Good verdicts over all verdicts is the audited accuracy per intent in `supportbot report`. The
customer's words and the answer are quoted spans: escaped by each adapter, they can never ping anyone.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, update
from sqlalchemy import select as sql_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.selectable import ScalarSelect, Select
from sqlmodel import col, select

from bot.core import outbox
from bot.core.agent_desk import authorise, refuse
from bot.core.buttons import AGENT_ACTIONS
from bot.core.events import AgentNotice, Button, ButtonPress, RetireButtons
from bot.core.jobs import job
from bot.core.outbox import Outgoing
from bot.core.outcomes import Outcome
from bot.core.store import ConversationStore
from bot.core.text import Rich, code, join, name, rich, said, strong
from bot.core.work import Work
from bot.storage.tables import Decision, Message, OutboxItem, QualityReview, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.quality")
WEEK = dt.timedelta(days=7)
GOOD, BAD = "quality.good", "quality.bad"
QUOTE_CHARS = 400  # of the question and the answer on a card; the rest stays in the transcript


@dataclass(frozen=True)
class Drawn:
    decision_id: int
    conversation_id: int
    intent: str
    confidence: float
    article_id: str | None
    question: str  # the customer's last typed message at the decision
    answer: str  # what the bot sent next


def _question() -> ScalarSelect[str]:
    """The customer's last typed message up to the decision's turn (a picked article's turn is a press)."""
    return (
        select(Message.text)
        .where(
            Message.conversation_id == Decision.conversation_id,
            Message.direction == "inbound",
            Message.author == "customer",
            col(Message.id) <= col(Decision.message_id),
        )
        .order_by(col(Message.id).desc())
        .limit(1)
        .correlate(Decision)
        .scalar_subquery()
    )


def _answer() -> ScalarSelect[str]:
    return (
        select(Message.text)
        .where(
            Message.conversation_id == Decision.conversation_id,
            Message.direction == "outbound",
            Message.author == "bot",
            col(Message.id) > col(Decision.message_id),
        )
        .order_by(col(Message.id))
        .limit(1)
        .correlate(Decision)
        .scalar_subquery()
    )


def _sampled() -> Select[*tuple[Any, ...]]:
    """An answer with the customer's question and the bot's reply, as a card shows them."""
    d = Decision
    columns = (col(d.id), col(d.conversation_id), col(d.intent), col(d.confidence), col(d.article_id), _question(), _answer())
    query: Select[*tuple[Any, ...]] = sql_select(*columns)
    return query


def _drawn(row: Any) -> Drawn:
    decision_id, conversation_id, intent, confidence, article_id, question, answer = row
    return Drawn(decision_id, conversation_id, intent, confidence, article_id, question or "", answer or "")


def draw(store: ConversationStore, since: dt.datetime, until: dt.datetime, size: int) -> list[Drawn]:
    """`size` answers from the knowledge base in [since, until), at random, none drawn before."""
    drawn_before = select(QualityReview.id).where(QualityReview.decision_id == Decision.id).correlate(Decision)
    query = (
        _sampled()
        .where(
            col(Decision.created_at) >= since,
            col(Decision.created_at) < until,
            col(Decision.outcome) == Outcome.ANSWERED.value,
            col(Decision.article_id).is_not(None),
            ~drawn_before.exists(),
        )
        .order_by(func.random())
        .limit(size)
    )
    with store.session() as session:
        return [_drawn(row) for row in session.execute(query)]


def card(bot: SupportBot, item: Drawn, n: int, total: int) -> AgentNotice:
    article = bot.services.index.kb.articles.get(item.article_id or "")
    title = article.title if article is not None else "an article no longer in the knowledge base"
    text = join(
        [
            strong(f"Quality check {n}/{total}"),
            f" · answer #{item.decision_id} · {item.intent} ({item.confidence:.0%}) · conversation #{item.conversation_id}\n",
            "Customer asked: ",
            said(item.question[:QUOTE_CHARS]),
            "\nThe bot answered from ",
            code(item.article_id or "-"),
            f" ({title}): ",
            said(item.answer[:QUOTE_CHARS]),
            "\nWas this the right answer?",
        ]
    )
    value = str(item.decision_id)
    return AgentNotice(text, buttons=(Button("Good", GOOD, value, "primary"), Button("Bad", BAD, value, "danger")))


@job("quality.sample", WEEK, shared=True)
async def sample(bot: SupportBot, now: dt.datetime) -> int:
    """Last week's automated answers, a random few, to the agents' room for a verdict."""
    config = bot.policy.quality
    if not config.sample:
        return 0
    drawn = await bot.db(draw, bot.store, now - WEEK, now, config.sample_size)
    if not drawn:
        return 0

    def write(work: Work) -> int:
        intro = f"Weekly quality sample: {len(drawn)} of last week's automated answers, drawn at random. Good or Bad?"
        work.send(AgentNotice(rich(intro)))
        for n, item in enumerate(drawn, 1):
            work.add(QualityReview(decision_id=item.decision_id, created_at=now))
            work.send(card(bot, item, n, len(drawn)), item.conversation_id)
        return len(drawn)

    try:
        count, outgoing = await bot.commit(write)
    except IntegrityError:  # another process drew some of the same answers at this moment: theirs stand
        return 0
    await bot.deliver(outgoing)
    log.info("quality.sampled count=%s", count)
    return count


# Verdicts -------------------------------------------------------------------------------------------


def _retire(work: Work, conversation_id: int, decision_id: int, note: Rich) -> None:
    """The card's buttons go: its outbox item is found by the decision its buttons carry."""
    items = work.session.exec(
        select(OutboxItem).where(
            OutboxItem.kind == AgentNotice.__name__,
            OutboxItem.conversation_id == conversation_id,
            col(OutboxItem.live_buttons).is_(True),
        )
    ).all()
    for item in items:
        posted = outbox.decode(item.payload)
        if not isinstance(posted, AgentNotice) or not _asks_about(posted, decision_id):
            continue
        item.live_buttons = False
        work.session.add(item)
        if item.platform_ref:
            work.send(RetireButtons(item.platform_ref, note, None, posted), conversation_id)


def _asks_about(notice: AgentNotice, decision_id: int) -> bool:
    return any(b.action in (GOOD, BAD) and b.value == str(decision_id) for b in notice.buttons)


def _review(store: ConversationStore, decision_id: int) -> tuple[QualityReview, Drawn] | None:
    with store.session() as session:
        review = session.exec(select(QualityReview).where(QualityReview.decision_id == decision_id)).first()
        row = session.execute(_sampled().where(col(Decision.id) == decision_id)).first()
        return (review, _drawn(row)) if review is not None and row is not None else None


async def verdict(bot: SupportBot, press: ButtonPress, decision_id: int, given: str) -> list[Outgoing]:
    agent, place = press.user, press.place
    refusal = await authorise(bot, agent, place, f"quality.{given}")
    if refusal is not None:
        return refuse(agent, refusal, place)
    found = await bot.db(_review, bot.store, decision_id)
    if found is None:
        return refuse(agent, f"Answer #{decision_id} was not drawn for the quality sample.", place)
    _, item = found

    def write(work: Work) -> bool:
        judged = work.session.execute(
            update(QualityReview)
            .where(col(QualityReview.decision_id) == decision_id, col(QualityReview.verdict) == "pending")
            .values(verdict=given, reviewer=agent.key[:64], reviewed_at=utcnow())
        )
        if judged.rowcount != 1:  # type: ignore[attr-defined]
            return False
        _retire(work, item.conversation_id, decision_id, join([f"{given.capitalize()}, said ", name(agent.label), "."]))
        return True

    took, outgoing = await bot.commit(write)
    if not took:
        current = await bot.db(_review, bot.store, decision_id)
        review = current[0] if current else None
        by = f" by {review.reviewer}" if review and review.reviewer else ""
        return refuse(agent, f"Answer #{decision_id} was already judged {review.verdict if review else 'meanwhile'}{by}.", place)
    log.info("quality.judged decision=%s verdict=%s agent=%s", decision_id, given, agent.key)
    if given == "bad":
        gap = (item.question, item.intent, item.article_id, None, str(item.conversation_id))
        await bot.db(bot.gaps.record, "quality_bad", *gap)
    return outgoing


AGENT_ACTIONS[GOOD] = lambda bot, press, n: verdict(bot, press, n, "good")
AGENT_ACTIONS[BAD] = lambda bot, press, n: verdict(bot, press, n, "bad")
