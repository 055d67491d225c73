"""The weekly quality sample, as the agents see it: last week's automated answers drawn once (however many
processes schedule it), each card quoting the customer, Good / Bad kept once per answer, only from agents
in the agents' room, and a Bad recorded as a knowledge gap."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from bot.core.events import AgentNotice, RetireButtons
from bot.core.jobs import JOBS, Scheduler
from bot.core.policy import Policy, load_policy
from bot.core.quality_jobs import BAD, GOOD, draw
from bot.storage.tables import QualityReview, utcnow
from knowledge.gaps import KnowledgeGap
from tests.core.conftest import BotFactory
from tests.core.harness import AGENTS_ROOM, ALICE, BOB, KIM, SAM, Harness, dm

QUESTIONS = ("how do I get a copy of last month's invoice", "how do I reset my password, I forgot it")


def answered(chat: Harness) -> None:
    """Three automated answers: two for Alice, one for Bob (with markup and a ping in his words)."""
    chat.say(QUESTIONS[0])
    chat.say(QUESTIONS[1])
    chat.say("<!channel> @everyone how do I get a copy of last month's invoice", who=BOB)
    chat.customer_sees()
    chat.agents_see()


def run_sample(chat: Harness, holder: str, now: dt.datetime) -> dict[str, int]:
    scheduler = Scheduler(chat.bot, {"quality.sample": JOBS["quality.sample"]}, clock=lambda: now, holder=holder)
    return chat.loop.run_until_complete(scheduler.run_due())


def cards(chat: Harness) -> list[AgentNotice]:
    return [n for n in chat.agents_see() if isinstance(n, AgentNotice) and n.buttons]


def policy_with_sample(size: int) -> Policy:
    policy = load_policy()
    policy.quality.sample_size = size
    return policy


def test_two_schedulers_post_the_sample_once(new_bot: BotFactory) -> None:
    first, second = new_bot(policy_with_sample(2)), new_bot(policy_with_sample(2))
    answered(first)
    now = utcnow() + dt.timedelta(minutes=1)
    assert run_sample(first, "p1", now) == {"quality.sample": 2}
    assert run_sample(second, "p2", now) == {}  # the lease: one process draws per week
    posted = cards(first)
    assert len(posted) == 2 and cards(second) == []
    assert [b.label for b in posted[0].buttons] == ["Good", "Bad"]
    assert {b.action for b in posted[0].buttons} == {GOOD, BAD}
    with Session(first.bot.store.engine) as session:
        reviews = session.exec(select(QualityReview)).all()
    assert {r.verdict for r in reviews} == {"pending"} and len(reviews) == 2
    week_ago = now - dt.timedelta(days=7)
    left = draw(first.bot.store, week_ago, now, 10)  # never drawn twice: only the third answer is left
    assert len(left) == 1 and left[0].decision_id not in {r.decision_id for r in reviews}


def test_a_card_quotes_the_customer_and_the_answer(new_bot: BotFactory) -> None:
    chat = new_bot(policy_with_sample(3))
    answered(chat)
    run_sample(chat, "p1", utcnow() + dt.timedelta(minutes=1))
    posted = cards(chat)
    assert len(posted) == 3
    bobs = next(c for c in posted if "@everyone" in str(c.text))
    untrusted = bobs.text.untrusted
    assert untrusted[0] == "<!channel> @everyone how do I get a copy of last month's invoice"  # escaped by each adapter
    assert "Customer asked:" in str(bobs.text) and "The bot answered from" in str(bobs.text)
    assert all("<!channel>" not in s.text for s in bobs.text.spans if not s.untrusted)


def test_good_and_bad_are_kept_once_and_retire_the_buttons(new_bot: BotFactory) -> None:
    chat = new_bot(policy_with_sample(2))
    answered(chat)
    run_sample(chat, "p1", utcnow() + dt.timedelta(minutes=1))
    good_card, bad_card = cards(chat)
    good_id, bad_id = good_card.buttons[0].value, bad_card.buttons[0].value

    chat.click(GOOD, good_id, who=SAM)
    retired = [r for r in chat.retired if isinstance(r.original, AgentNotice)]
    assert len(retired) == 1 and str(retired[0].note) == "Good, said Sam."
    chat.click(BAD, good_id, who=KIM)  # a second verdict on the same answer changes nothing
    assert chat.private_sees() == [f"Answer #{good_id} was already judged good by test:sam."]

    chat.click(BAD, bad_id, who=KIM)
    with Session(chat.bot.store.engine) as session:
        verdicts = {(r.decision_id, r.verdict, r.reviewer) for r in session.exec(select(QualityReview)).all()}
        gaps = session.exec(select(KnowledgeGap).where(KnowledgeGap.kind == "quality_bad")).all()
    assert verdicts == {(int(good_id), "good", "test:sam"), (int(bad_id), "bad", "test:kim")}
    assert len(gaps) == 1 and gaps[0].text in (*QUESTIONS, "<!channel> @everyone how do I get a copy of last month's invoice")
    assert gaps[0].conversation_id is not None and gaps[0].best_article_id is not None
    assert len([r for r in chat.retired if isinstance(r, RetireButtons) and isinstance(r.original, AgentNotice)]) == 2


def test_only_agents_in_the_agents_room_judge(new_bot: BotFactory) -> None:
    chat = new_bot(policy_with_sample(1), agents=frozenset({SAM.key}))
    answered(chat)
    run_sample(chat, "p1", utcnow() + dt.timedelta(minutes=1))
    (posted,) = cards(chat)
    decision = posted.buttons[0].value
    chat.click(GOOD, decision, who=KIM)  # in the room, but not an agent
    chat.click(GOOD, decision, who=SAM, place=dm(SAM))  # an agent, but not in the room
    chat.click(BAD, decision, who=ALICE, place=dm(ALICE))  # a customer
    assert chat.private_sees() == [
        "Only support agents can act on tickets.",
        "Agent actions only work from the agents' channel.",
        "Agent actions only work from the agents' channel.",
    ]
    with Session(chat.bot.store.engine) as session:
        assert [r.verdict for r in session.exec(select(QualityReview)).all()] == ["pending"]
    chat.click(GOOD, "99999", who=SAM, place=AGENTS_ROOM)
    assert chat.private_sees() == ["Answer #99999 was not drawn for the quality sample."]
