"""Who handles what: the agents file (SUPPORTBOT_AGENTS_FILE) with groups of intents and each agent's
skills, languages, working hours and cap on open tickets, for routing new tickets (bot.core.routing).

Checked on load like the policy: a typo fails the start with the file and the setting's path (an
agent's entry names its id), never a skill that silently matches nothing. Agent ids are
`platform:user_id`, the form SUPPORTBOT_AGENT_IDS uses; they and the groups' platform ids become real
mentions on the cards, so their shapes are checked too.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Ids that become mentions: only these shapes, so nothing in the file can smuggle markup into a card.
ID_SHAPES = {"slack": r"[UW][A-Z0-9]{2,20}", "discord": r"[0-9]{15,20}"}
SLACK_GROUP, DISCORD_ROLE = r"S[A-Z0-9]{2,20}", r"[0-9]{15,20}"


class RosterError(Exception):
    """The agents file cannot be used; the message names the file and each bad setting."""


# The file as written ----------------------------------------------------------------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _clock(value: object) -> dt.time:
    """A time of day, "09:00"; an unquoted 17:30 arrives as 1050 (YAML 1.1 reads base 60): the same minutes."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return dt.time(value // 60, value % 60)
    found = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", str(value).strip())
    if found is None:
        raise ValueError(f"'{value}' is not a time of day like \"09:00\"")
    return dt.time(int(found[1]), int(found[2]))


def _days(value: str) -> frozenset[int]:
    """`mon-fri`, `mon,wed,fri`, `fri-mon` (wraps), `daily`."""
    if value.strip().lower() == "daily":
        return frozenset(range(7))
    days: set[int] = set()
    for part in filter(None, (p.strip().lower() for p in value.split(","))):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"'{part}' is not a day or a range of days ({', '.join(DAYS)}, e.g. mon-fri)")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    if not days:
        raise ValueError("names no day (e.g. mon-fri)")
    return frozenset(days)


class _Hours(_Entry):
    tz: str = "UTC"
    days: str = "mon-fri"
    start: Any = Field(default="09:00", alias="from")
    end: Any = Field(default="17:00", alias="to")

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'America'
            raise ValueError(f"unknown time zone '{value}' (an IANA name like Europe/Berlin)") from None
        return value

    @field_validator("days")
    @classmethod
    def _check_days(cls, value: str) -> str:
        _days(value)
        return value

    @field_validator("start", "end")
    @classmethod
    def _check_clock(cls, value: object) -> object:
        _clock(value)
        return value


class _Group(_Entry):
    intents: list[str] = []
    mention: str | None = None  # shown on cards; default "@name"
    slack_group: str | None = None  # a Slack user group id (S…): a real <!subteam^…> mention
    discord_role: str | int | None = None  # a Discord role id: a real <@&…> mention

    @field_validator("slack_group")
    @classmethod
    def _slack_group(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(SLACK_GROUP, value):
            raise ValueError(f"'{value}' is not a Slack user group id (S followed by letters and digits)")
        return value

    @field_validator("discord_role")
    @classmethod
    def _discord_role(cls, value: str | int | None) -> str | None:
        if value is not None and not re.fullmatch(DISCORD_ROLE, str(value)):
            raise ValueError(f"'{value}' is not a Discord role id (15 to 20 digits)")
        return None if value is None else str(value)


class _Agent(_Entry):
    id: str
    name: str | None = None
    groups: list[str] = []
    intents: list[str] = []
    languages: list[str] = []  # empty: any
    hours: _Hours | None = None  # none: always available
    max_open: int | None = Field(default=None, ge=1)

    @field_validator("id")
    @classmethod
    def _key(cls, value: str) -> str:
        platform, colon, user = value.strip().partition(":")
        if not colon or not re.fullmatch(r"[a-z]+", platform) or not re.fullmatch(r"\S+", user):
            raise ValueError(f"'{value}' is not platform:user_id (e.g. slack:U0123ABCD, discord:80351110224678912)")
        shape = ID_SHAPES.get(platform)
        if shape is not None and not re.fullmatch(shape, user):
            raise ValueError(f"'{user}' is not a {platform} user id")
        return f"{platform}:{user}"


class _File(_Entry):
    groups: dict[str, _Group] = {}
    agents: list[_Agent] = []


# What the bot uses --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    zone: str
    days: frozenset[int]  # 0 = Monday
    start: dt.time
    end: dt.time  # before `start`: the shift runs past midnight

    def open_at(self, now: dt.datetime) -> bool:
        local = now.astimezone(zoneinfo.ZoneInfo(self.zone))
        day, time = local.weekday(), local.time()
        if self.start == self.end:
            return day in self.days
        if self.start < self.end:
            return day in self.days and self.start <= time < self.end
        return (day in self.days and time >= self.start) or ((day - 1) % 7 in self.days and time < self.end)


@dataclass(frozen=True)
class Group:
    name: str
    intents: frozenset[str]
    label: str  # how cards name it, e.g. "@billing-team"
    targets: tuple[str, ...] = ()  # slack-group:S…, discord-role:…: real mentions where configured


@dataclass(frozen=True)
class Agent:
    key: str  # platform:user_id
    name: str
    groups: tuple[str, ...] = ()
    intents: frozenset[str] = frozenset()  # direct skills, besides their groups'
    languages: frozenset[str] = frozenset()
    hours: Hours | None = None
    max_open: int | None = None

    def speaks(self, language: str | None) -> bool:
        return language is None or not self.languages or language.lower() in self.languages

    def available(self, now: dt.datetime, open_tickets: int) -> str | None:
        """Why this agent cannot take a ticket now ("off hours", "at their cap"), or None."""
        if self.hours is not None and not self.hours.open_at(now):
            return "off hours"
        if self.max_open is not None and open_tickets >= self.max_open:
            return "at their cap"
        return None


@dataclass(frozen=True)
class Roster:
    groups: tuple[Group, ...] = ()
    agents: tuple[Agent, ...] = ()
    source: str = ""

    def __bool__(self) -> bool:
        return bool(self.groups or self.agents)

    def group(self, name: str) -> Group | None:
        return next((g for g in self.groups if g.name == name), None)

    def agent(self, key: str) -> Agent | None:
        return next((a for a in self.agents if a.key == key), None)

    def skills(self, agent: Agent) -> frozenset[str]:
        found = [g.intents for g in self.groups if g.name in agent.groups]
        return agent.intents.union(*found)

    def group_for(self, intent: str) -> Group | None:
        """The first group in the file that handles `intent`."""
        return next((g for g in self.groups if intent in g.intents), None)

    def check_intents(self, known: set[str]) -> None:
        """Skills must be the model's intents: a typo would never match a ticket."""
        named = {i for g in self.groups for i in g.intents} | {i for a in self.agents for i in a.intents}
        unknown = sorted(named - known)
        if unknown:
            raise RosterError(
                f"{self.source}: agents file names unknown intents: {', '.join(unknown)}; valid: {', '.join(sorted(known))}"
            )


def _convert(data: _File, source: str) -> Roster:
    groups = []
    for name, g in data.groups.items():
        targets = ([f"slack-group:{g.slack_group}"] if g.slack_group else []) + (
            [f"discord-role:{g.discord_role}"] if g.discord_role else []
        )
        groups.append(Group(name, frozenset(g.intents), g.mention or f"@{name}", tuple(targets)))
    agents = []
    for a in data.agents:
        h = a.hours
        hours = Hours(h.tz, _days(h.days), _clock(h.start), _clock(h.end)) if h is not None else None
        agents.append(
            Agent(
                a.id,
                a.name or a.id.partition(":")[2],
                tuple(a.groups),
                frozenset(a.intents),
                frozenset(lang.lower() for lang in a.languages),
                hours,
                a.max_open,
            )
        )
    return Roster(tuple(groups), tuple(agents), source)


def _problems(data: Any, exc: ValidationError) -> list[str]:
    """Each error as a dotted path; an agent's entry is named by its id as well as its position."""
    problems = []
    for error in exc.errors():
        parts = [str(p) for p in error["loc"]]
        if len(parts) >= 2 and parts[0] == "agents" and parts[1].isdigit():
            entry = data["agents"][int(parts[1])] if isinstance(data.get("agents"), list) else None
            ident = entry.get("id") if isinstance(entry, dict) else None
            parts[1] = f"{parts[1]} ({ident})" if ident else parts[1]
        problems.append(f"{'.'.join(parts)}: {error['msg']}")
    return problems


def load_roster(path: Path) -> Roster:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the agents file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RosterError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise RosterError(f"{path}: invalid YAML: {exc}") from None
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise RosterError(f"{path}: invalid YAML value: {exc}") from None
    if not isinstance(raw, dict):
        raise RosterError(f"{path}: expected a mapping with `groups:` and `agents:` at the top level")
    try:
        data = _File.model_validate(raw)
    except ValidationError as exc:
        raise RosterError(f"{path}: invalid agents file:\n  " + "\n  ".join(_problems(raw, exc))) from None
    problems = []
    seen: set[str] = set()
    for n, agent in enumerate(data.agents):
        if agent.id in seen:
            problems.append(f"agents.{n} ({agent.id}): listed twice")
        seen.add(agent.id)
        problems += [f"agents.{n} ({agent.id}).groups: no group '{g}' in groups:" for g in agent.groups if g not in data.groups]
    if problems:
        raise RosterError(f"{path}: invalid agents file:\n  " + "\n  ".join(problems))
    return _convert(data, str(path))
