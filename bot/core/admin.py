"""Admin commands, platform-neutral: a registry whose docstrings are the help text.

Only configured admin ids may run them; every call, allowed or not, lands in the audit log with its
arguments and result. Bad input gets a message that lists what is valid.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import math
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlmodel import Session

from bot.core import stats
from bot.core.agent_desk import agent_refusal
from bot.core.events import CommandResponse, Person, SlashCommand
from bot.core.outbox import Outgoing
from bot.core.policy import TIERS
from bot.core.tiers import THRESHOLDS, Threshold
from bot.core.triggers import TRIGGERS
from bot.storage.tables import AuditEntry, aware, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.admin")
T = TypeVar("T")
UMBRELLA = ("supportbot", "sb")  # `/supportbot tier …` on platforms with one registered slash command
ECHO_CHARS = 80  # bad input is quoted back at most this long
ANSWER_CHARS = 3900  # under every platform's message limit
MAX_DAYS = 3650


class CommandError(Exception):
    """A bad invocation; the message says what is valid."""


Run = Callable[["SupportBot", Person, list[str]], Awaitable[str]]


@dataclass(frozen=True)
class AdminCommand:
    name: str
    run: Run
    agents: bool = False  # agents may run it too, from the agents' room
    private_arguments: bool = False  # the audit row withholds them (a customer's id or e-mail for /forget)

    @property
    def help(self) -> str:
        return (self.run.__doc__ or "").strip()

    @property
    def summary(self) -> str:
        return self.help.splitlines()[0] if self.help else ""


COMMANDS: dict[str, AdminCommand] = {}


def command(name: str, agents: bool = False, private_arguments: bool = False) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        COMMANDS[name] = AdminCommand(name, run, agents, private_arguments)
        return run

    return register


def suggest(word: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(word, valid, n=3)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    return f"{hint} Valid: {', '.join(valid)}."


def arguments(args: list[str], most: int, usage: str) -> None:
    if len(args) > most:
        raise CommandError(f"Too many arguments. Usage: {usage}")


async def handle(bot: SupportBot, event: SlashCommand) -> list[Outgoing]:
    name, text = event.name.lstrip("/").lower(), event.text.strip()
    if name in UMBRELLA:
        name, _, text = text.partition(" ")
        name = name.lower() or "help"
    spec = COMMANDS.get(name)
    allowed = bot.access.is_admin(event.user) or bool(
        spec and spec.agents and agent_refusal(bot, event.user, event.place) is None
    )
    if not allowed:
        who, ids = (
            ("agents in the agents' channel and admins", "SUPPORTBOT_AGENT_IDS")
            if spec and spec.agents
            else ("admins only", "SUPPORTBOT_ADMIN_IDS")
        )
        result, ok = f"Sorry, /{clip(name)} is for {who}. An admin can add your id ({event.user.key}) to {ids}.", False
    elif name not in COMMANDS:
        result, ok = f"Unknown command '/{clip(name)}'." + suggest(name, sorted(COMMANDS)), False
    else:
        result, ok = await _run(bot, event.user, name, text)
    result = _bounded(result)
    audited = "[withheld]" if spec is not None and spec.private_arguments and text else text
    if not await _audit(bot, event.user, name, audited, allowed, result):
        result += "\n(The audit log could not be written; see the server log.)"
    log.info("admin.command actor=%s command=%s allowed=%s ok=%s", event.user.key, _printable(name), allowed, ok)
    return [Outgoing(CommandResponse(event.user, result, event.place, ok))]


async def _run(bot: SupportBot, admin: Person, name: str, text: str) -> tuple[str, bool]:
    """The answer and whether the command worked; never raises, so every call is answered and audited."""
    try:
        args = shlex.split(text)
    except ValueError as exc:  # unbalanced quotes or a trailing backslash, nothing else
        return f"Could not read the arguments: {exc}.", False
    try:
        return await COMMANDS[name].run(bot, admin, args), True
    except CommandError as exc:
        return _unechoed(str(exc), args), False
    except Exception as exc:  # the message could hold anything (a connection string): only its type is shown
        log.exception("admin.command_failed command=%s", _printable(name))
        return f"Internal error running /{name}; it was logged ({type(exc).__name__}).", False


async def _audit(bot: SupportBot, who: Person, name: str, text: str, allowed: bool, result: str) -> bool:
    """Write the audit row; False (logged) if the database refused it, so the caller still gets an answer."""
    entry = AuditEntry(
        actor=_storable(who.key, 64),
        platform=_storable(who.platform, 16),
        command=_storable(name, 64),
        arguments=_storable(text, 1000),
        allowed=allowed,
        result=_storable(result, 2000),
    )
    try:
        await bot.db(bot.store.add, entry)
    except Exception:
        log.exception("admin.audit_failed actor=%s command=%s", who.key, _printable(name))
        return False
    return True


def clip(text: str, most: int = ECHO_CHARS) -> str:
    """Input quoted back in an answer: a 40 kB argument is not sent back whole."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _unechoed(message: str, args: list[str]) -> str:
    """Commands quote the word they reject; long words are clipped here, once for every command."""
    for arg in sorted({a for a in args if len(a) > ECHO_CHARS}, key=len, reverse=True):
        message = message.replace(arg, clip(arg))
    return message


def _bounded(answer: str) -> str:
    """An answer every platform accepts: no NUL bytes, under the message limit."""
    answer = answer.replace("\x00", "")
    if len(answer) <= ANSWER_CHARS:
        return answer
    note = f"\n… ({len(answer) - ANSWER_CHARS + 100:,} more characters not shown)"
    return answer[: ANSWER_CHARS - 100] + note


def _storable(text: str, most: int) -> str:
    """Text every database stores: PostgreSQL rejects NUL bytes, and lone surrogates cannot be encoded."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")[:most]


def _printable(name: str) -> str:
    """A command name for one log line: control and format characters escaped, so a line cannot be faked."""
    name = clip(name)
    return name if name.isprintable() else ascii(name)


async def _store_setting(bot: SupportBot, key: str, value: str, admin: Person) -> None:
    """Store the change (bumping the settings version every process watches) and apply it here now."""
    await bot.db(bot.store.set_setting, key, value, admin.key)
    await bot.sync_settings(force=True)


@command("help")
async def _help(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """help [COMMAND] — list the admin commands, or show one command's help."""
    arguments(args, 1, "/help [COMMAND]")
    if args:
        if args[0] not in COMMANDS:
            raise CommandError(f"No command '{args[0]}'." + suggest(args[0], sorted(COMMANDS)))
        return COMMANDS[args[0]].help
    return "Admin commands:\n" + "\n".join(f"  /{c.summary}" for c in COMMANDS.values())


def _known(kind: str, given: str, valid: list[str], name: str | None = None) -> str:
    """`name` (default: what was typed) if it is valid; otherwise an error that suggests and lists."""
    name = given if name is None else name
    if name not in valid:
        raise CommandError(f"Unknown {kind} '{given}'." + suggest(name, valid))
    return name


@command("tier")
async def _tier(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """tier [INTENT [auto|assisted|human|off]] — show the automation tiers, or set one intent's tier.

    auto: the bot answers; assisted: the bot drafts and an agent approves; human: an agent answers with
    the AI's context; off: passed to agents without AI involvement. Changes are stored and survive restarts."""
    arguments(args, 2, "/tier [INTENT [MODE]]")
    if not args:
        return "\n".join(f"{intent}: {tier}" for intent, tier in bot.tiers.all().items())
    intent = _known("intent", args[0], bot.tiers.intents)
    if len(args) == 1:
        return f"{intent}: {bot.tiers.tier(intent)}"
    mode = args[1].lower()
    if mode not in TIERS:
        raise CommandError(f"Unknown tier '{args[1]}'. Valid: {', '.join(TIERS)}.")
    before = bot.tiers.tier(intent)
    await _store_setting(bot, f"tier.{intent}", mode, admin)
    return f"{intent}: {before} → {bot.tiers.tier(intent)}"


@command("threshold")
async def _threshold(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """threshold [NAME [VALUE]] — show the thresholds, or set one (stored, survives restarts)."""
    arguments(args, 2, "/threshold [NAME [VALUE]]")
    if not args:
        return "\n".join(f"{n} = {threshold_value(bot, n)} ({t.low:g}…{t.high:g}): {t.meaning}" for n, t in THRESHOLDS.items())
    name = _known("threshold", args[0], list(THRESHOLDS), args[0].lower())
    spec = THRESHOLDS[name]
    if len(args) == 1:
        return f"{name} = {threshold_value(bot, name)}: {spec.meaning}"
    value = _threshold_value(name, spec, args[1])
    before = threshold_value(bot, name)
    await _store_setting(bot, f"threshold.{name}", str(value), admin)
    return f"{name}: {before} → {threshold_value(bot, name)}"


def threshold_value(bot: SupportBot, name: str) -> str:
    """A threshold as admins read it; a signal's left to the model shows the model's value."""
    value = bot.tiers.threshold(name)
    if value is not None:
        return f"{value:g}"
    signals = bot.services.classifier.manifest.signals
    if signals is not None and name in signals.names:
        return f"{signals.threshold(name):g} (the model's)"
    return "unset (the model has no such signal)"


def _threshold_value(name: str, spec: Threshold, given: str) -> float:
    """A finite number in the threshold's range: nan would compare false with everything and disable it."""
    try:
        value = float(given)
    except ValueError:
        span = f"from {spec.low:g} to {spec.high:g}"
        raise CommandError(f"'{clip(given)}' is not a number; {name} takes a value {span}.") from None
    if not math.isfinite(value):
        raise CommandError(f"{name} takes a finite number from {spec.low:g} to {spec.high:g}, not '{clip(given)}'.")
    if not spec.low <= value <= spec.high:
        raise CommandError(f"{name} must be between {spec.low:g} and {spec.high:g}; got {value:g}.")
    return value + 0.0  # -0.0 → 0.0


@command("trigger")
async def _trigger(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """trigger [NAME [on|off]] — show the escalation triggers, or switch one on or off."""
    arguments(args, 2, "/trigger [NAME [on|off]]")
    if not args:
        return "\n".join(f"{n}: {'on' if t.enabled(bot.policy) else 'off'} — {t.summary}" for n, t in TRIGGERS.items())
    name = _known("trigger", args[0], list(TRIGGERS), args[0].lower())
    if len(args) == 1:
        return f"{name}: {'on' if TRIGGERS[name].enabled(bot.policy) else 'off'}"
    state = args[1].lower()
    if state not in ("on", "off"):
        raise CommandError(f"Say on or off, not '{args[1]}'.")
    await _store_setting(bot, f"trigger.{name}", state, admin)
    return f"{name}: {'on' if TRIGGERS[name].enabled(bot.policy) else 'off'}"


@command("stats")
async def _stats(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """stats [DAYS] — automation, deflection and escalation rates, triggers, draft approval, CSAT, gaps (default 7 days)."""
    arguments(args, 1, "/stats [DAYS]")
    days = _days(args[0]) if args else 7.0

    def compute() -> stats.Stats:
        with Session(bot.store.engine) as session:
            return stats.compute(session, days)

    report = await bot.db(compute)
    return report.render(bot.tiers.all(), bot.policy.approval)


def _days(given: str) -> float:
    """DAYS the clock can go back: finite, more than 0, at most ten years (beyond, dates overflow)."""
    try:
        days = float(given)
    except ValueError:
        raise CommandError(f"DAYS must be a number, not '{clip(given)}'.") from None
    if not math.isfinite(days):
        raise CommandError(f"DAYS must be a finite number, more than 0 and at most {MAX_DAYS}; not '{clip(given)}'.")
    if days <= 0:
        raise CommandError("DAYS must be more than 0.")
    if days > MAX_DAYS:
        raise CommandError(f"DAYS can be at most {MAX_DAYS} (ten years); got {days:g}.")
    return days


@command("kb")
async def _kb(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """kb reload — re-read the knowledge base and update its index; a broken article keeps the old one serving."""
    if args != ["reload"]:
        raise CommandError("Usage: /kb reload")
    before = len(bot.services.index.kb.articles)
    try:
        index = await asyncio.to_thread(bot.services.reload_knowledge)
    except Exception as exc:
        raise CommandError(f"Knowledge base not reloaded, the current one keeps serving:\n{exc}") from None
    version = await bot.db(bot.store.announce_reload, "kb")
    bot.mark_settings_seen(version, kb=True)
    return f"Knowledge base reloaded: {before} → {len(index.kb.articles)} articles (every bot process reloads within seconds)."


@command("model")
async def _model(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """model reload — load the model directory again (after `supportbot train`); a broken one keeps the old model serving."""
    if args != ["reload"]:
        raise CommandError("Usage: /model reload")
    try:
        classifier = await asyncio.to_thread(bot.services.reload_classifier)
    except Exception as exc:
        raise CommandError(f"Model not reloaded, the current one keeps serving: {exc}") from None
    version = await bot.db(bot.store.announce_reload, "model")
    bot.mark_settings_seen(version, model=True)
    missing = sorted(set(bot.tiers.intents) ^ set(classifier.intents))
    note = f" Intents changed ({', '.join(missing)}); restart to refresh the tier table." if missing else ""
    return f"Model reloaded: {len(classifier.intents)} intents, scorer {classifier.manifest.ood.scorer}.{note}"


@command("escalations")
async def _escalations(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """escalations — the open and claimed tickets, most urgent first."""
    arguments(args, 0, "/escalations")
    tickets = await bot.db(bot.store.open_tickets)
    if not tickets:
        return "No open escalations."
    order = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
    now = utcnow()
    lines = []
    for t in sorted(tickets, key=lambda t: (order.get(t.priority, 9), t.id or 0)):
        age = int((now - aware(t.created_at)).total_seconds() // 60)
        holder = f"claimed by {t.assigned_agent}" if t.status == "claimed" else "unclaimed"
        due = ""
        if t.due_at is not None and t.first_response_at is None:
            minutes = int((aware(t.due_at) - now).total_seconds() // 60)
            due = f" · first reply due in {minutes} min" if minutes >= 0 else f" · first reply OVERDUE by {-minutes} min"
        lines.append(f"#{t.id} {t.priority.upper()} {t.intent} · {holder} · {age} min old{due} · {t.reason[:120]}")
    return "\n".join(lines)
