"""Admin and agent commands that teach the bot: label a ticket with the article that answers it, and
retrain on everything people confirmed (`bot.core.feedback`) without serving a worse model."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlmodel import Session

from bot.core import feedback
from bot.core.admin import CommandError, arguments, clip, command, suggest
from bot.core.events import AgentNotice, Person
from bot.core.ids import parse_id
from bot.core.text import join

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.learning")
T = TypeVar("T")


@command("label", agents=True)
async def _label(bot: SupportBot, agent: Person, args: list[str]) -> str:
    """label TICKET ARTICLE|INTENT — which article (or intent) answers a ticket's question; it becomes a training example."""
    arguments(args, 2, "/label TICKET ARTICLE|INTENT")
    if len(args) != 2:
        raise CommandError("Usage: /label TICKET ARTICLE|INTENT, e.g. /label 12 reset-your-password")
    number = parse_id(args[0].lstrip("#"))
    ticket = await bot.db(bot.store.ticket, number) if number is not None else None
    if ticket is None:
        raise CommandError(f"There is no ticket #{clip(args[0])}.")
    articles = bot.services.index.kb.articles
    target = args[1]
    if target in articles and articles[target].customer_facing:
        intents = [i for i in articles[target].intents if i in bot.tiers.intents]
        intent = ticket.intent if ticket.intent in intents else (intents[0] if intents else None)
        article: str | None = target
    else:
        customer_articles = sorted(a.id for a in articles.values() if a.customer_facing)
        if target not in bot.tiers.intents:
            raise CommandError(
                f"'{clip(target)}' is neither a customer article nor an intent."
                + suggest(target, customer_articles + sorted(bot.tiers.intents))
            )
        intent, article = target, None

    def write(session: Session) -> tuple[int | None, int]:
        question = feedback.ticket_question(session, ticket)
        if question is None or question.id is None:
            return None, 0
        feedback.record(session, question.id, "agent_label", intent, article, agent.key)
        session.commit()
        return question.id, feedback.count(session)

    message_id, total = await bot.db(_in_session, bot, write)
    if message_id is None:
        raise CommandError(f"Ticket #{ticket.id} has no customer message to label.")
    what = f"{article} ({intent})" if article else f"intent {intent}"
    return f"Labelled the customer's question on ticket #{ticket.id} as {what}. {total} confirmed examples so far."


def _in_session(bot: SupportBot, write: Callable[[Session], T]) -> T:
    with bot.store.session() as session:
        return write(session)


RETRAIN_LINES = ("feedback:", "held-out", "  ", "kept the serving model", "the new model")


@command("retrain")
async def _retrain(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """retrain — retrain with the confirmed examples in the background; the result serves only if held-out figures hold.

    The run is `supportbot train --with-feedback` in a child process; the agents' channel hears the
    held-out comparison, and every bot process reloads a model that was accepted."""
    arguments(args, 0, "/retrain")
    if bot.retraining is not None and not bot.retraining.done():
        raise CommandError("A retraining run is already going; the agents' channel hears when it ends.")
    total = await bot.db(_in_session, bot, feedback.count)
    bot.retraining = asyncio.create_task(_run_retrain(bot, admin))
    return (
        f"Retraining started with {total} confirmed examples (several minutes); "
        "the agents' channel hears the held-out comparison when it ends."
    )


async def _run_retrain(bot: SupportBot, admin: Person) -> None:
    process = await asyncio.create_subprocess_exec(
        *bot.retrain_command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    lines = [line for line in output.decode(errors="replace").splitlines() if line.startswith(RETRAIN_LINES)]
    summary = "\n".join(lines[-12:])
    if process.returncode == 0:
        try:
            await asyncio.to_thread(bot.services.reload_classifier)
            version = await bot.db(bot.store.announce_reload, "model")
            bot.mark_settings_seen(version, model=True)
            head = "Retraining finished: the new model is serving."
        except Exception as exc:
            log.exception("retrain.reload_failed")
            head = f"Retraining finished but the new model did not load ({type(exc).__name__}); the old one keeps serving."
    elif process.returncode == 3:
        head = "Retraining finished: the held-out figures got worse, so the serving model stays."
    else:
        head = f"Retraining failed (exit {process.returncode}); the serving model stays. See the server log."
        log.error("retrain.failed code=%s", process.returncode)
    log.info("retrain.done actor=%s code=%s", admin.key, process.returncode)
    notice = AgentNotice(join([head, *(["\n", summary] if summary else [])]))
    _, outgoing = await bot.commit(lambda work: work.send(notice))
    await bot.deliver(outgoing)
