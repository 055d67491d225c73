"""A local fake Discord (REST API v10 + Gateway) that the real discord.py talks to.

Nothing of ours is faked: the bot's discord.py client runs unchanged against 127.0.0.1 servers that answer like Discord
(full message, channel, thread and guild objects, error codes, 429s with the headers discord.py needs, interaction
callbacks with `with_response`, a Gateway with HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, zlib-stream transport
compression, intents, and RESUME with replay of missed events). Each REST body is validated against Discord's OpenAPI
spec, each answer of the fake too, and every call and dispatch is recorded for tests and benchmarks.

Two ways to run it:
- in the caller's event loop: `async with FakeDiscord() as fake: ...` (use the `*_async` waiters);
- in a background thread with its own loop: `with running_fake_discord() as fake:` or the `fake_discord` pytest
  fixture, so a test can drive the bot with `asyncio.run(...)` and still use the blocking waiters.
Point discord.py at it with `with discord_py_pointed_at(fake): ...` (sets Route.BASE and DEFAULT_GATEWAY, restores them).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import hashlib
import json
import math
import re
import secrets
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from aiohttp import BodyPartReader, WSMsgType, web
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.platforms.common import (
    FakeServer,
    IncreasingClock,
    LocalServer,
    LoopThread,
    find_spec_file,
    load_spec,
    running_in_thread,
)

Json = dict[str, Any]

API_PREFIX = "/api/v10"
BOT_TOKEN = "fake-bot-token.discord"
APP_ID = "1100000000000000001"
BOT_USER_ID = APP_ID  # a bot user made in the developer portal has its application's id
GUILD_ID = "1100000000000000100"
STAFF_ROLE_ID = "1100000000000000101"
BOT_ROLE_ID = "1100000000000000102"
SUPPORT_CHANNEL_ID = "1100000000000000110"
FORUM_CHANNEL_ID = "1100000000000000111"
STAFF_CHANNEL_ID = "1100000000000000112"
CUSTOMER_ID = "1100000000000000200"
STAFF_USER_ID = "1100000000000000201"
FORUM_TAGS = {"1100000000000000120": "billing", "1100000000000000121": "bug", "1100000000000000122": "question"}
HEARTBEAT_INTERVAL_MS = 41250
INTERACTION_WINDOW_S = 3.0  # Discord: an interaction must be answered within 3 seconds
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Gateway intents (IDENTIFY) and the application flags that unlock the privileged ones.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_GUILD_MESSAGE_TYPING = 1 << 11
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_DIRECT_MESSAGE_REACTIONS = 1 << 13
INTENT_DIRECT_MESSAGE_TYPING = 1 << 14
INTENT_MESSAGE_CONTENT = 1 << 15
APP_FLAG_GATEWAY_PRESENCE = 1 << 12
APP_FLAG_GATEWAY_PRESENCE_LIMITED = 1 << 13
APP_FLAG_GATEWAY_GUILD_MEMBERS = 1 << 14
APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15
APP_FLAG_GATEWAY_MESSAGE_CONTENT = 1 << 18
APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19
DEFAULT_APP_FLAGS = APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED | APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED  # an unverified bot
PRIVILEGED_INTENTS = {
    INTENT_GUILD_MEMBERS: APP_FLAG_GATEWAY_GUILD_MEMBERS | APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED,
    INTENT_GUILD_PRESENCES: APP_FLAG_GATEWAY_PRESENCE | APP_FLAG_GATEWAY_PRESENCE_LIMITED,
    INTENT_MESSAGE_CONTENT: APP_FLAG_GATEWAY_MESSAGE_CONTENT | APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED,
}

# Permission bits the fake checks or hands out.
ADMINISTRATOR = 1 << 3
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1
EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
    | CREATE_PUBLIC_THREADS
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | CREATE_PRIVATE_THREADS | MANAGE_THREADS | MANAGE_MESSAGES
STAFF_PERMISSIONS = BOT_PERMISSIONS

# Message flags.
FLAG_HAS_THREAD = 1 << 5
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
SENDABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15)  # SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2

CHANNEL_TEXT, CHANNEL_DM, CHANNEL_PUBLIC_THREAD, CHANNEL_PRIVATE_THREAD, CHANNEL_FORUM = 0, 1, 11, 12, 15
THREAD_TYPES = frozenset({10, CHANNEL_PUBLIC_THREAD, CHANNEL_PRIVATE_THREAD})


# --------------------------------------------------------------------------------------------- ids and time

DISCORD_EPOCH_MS = 1420070400000


class _SnowflakeClock(IncreasingClock):
    """Snowflakes like Discord's: milliseconds since 2015 in the top bits, unique and increasing across threads."""

    def next(self) -> str:
        return str(self.tick((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22))


_SNOWFLAKES = _SnowflakeClock()


def new_snowflake() -> str:
    return _SNOWFLAKES.next()


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _interaction_token() -> str:
    return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)


# --------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Call:
    """One REST request as the fake received it: `route` is the spec's path template, `at` is time.monotonic()."""

    method: str
    path: str
    route: str | None
    json: Any
    at: float
    status: int
    query: Mapping[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Fault:
    route: str
    method: str | None
    status: int
    retry_after: float
    global_: bool


@dataclass(frozen=True)
class Dispatch:
    """An event the gateway sent (or logged for a resume) to one session; `filtered` ones were withheld by intents."""

    session_id: str
    seq: int | None
    event: str
    data: Json
    at: float


@dataclass(frozen=True)
class Identify:
    session_id: str | None
    token: str
    intents: int
    properties: Json
    shard: tuple[int, int] | None
    at: float
    accepted: bool
    close_code: int | None = None


@dataclass(frozen=True)
class Resume:
    session_id: str
    seq: int | None
    path: str
    replayed: tuple[int, ...]
    at: float
    accepted: bool


@dataclass(frozen=True)
class GatewayConnection:
    """What a client asked for when it opened the WebSocket (`compress` as in the URL query)."""

    path: str
    version: str | None
    encoding: str | None
    compress: str | None
    at: float


@dataclass(frozen=True)
class InteractionResponse:
    """The bot's answer to an interaction; `latency` is seconds from the INTERACTION_CREATE to the callback."""

    interaction_id: str
    type: int
    data: Json
    at: float
    latency: float

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & FLAG_EPHEMERAL)


@dataclass
class _Interaction:
    id: str
    token: str
    type: int
    channel_id: str
    guild_id: str | None
    message_id: str | None
    user: Json
    dispatched_at: float
    custom_id: str | None = None
    response_type: int | None = None
    original_id: str | None = None

    def metadata(self, modal_openers: Mapping[str, Json]) -> Json:
        """The message's `interaction_metadata`: what was clicked, or which interaction opened the submitted modal."""
        body: Json = {
            "id": self.id,
            "type": self.type,
            "user": copy.deepcopy(self.user),
            "authorizing_integration_owners": {"0": self.guild_id or "0"},
        }
        if self.type == 3:
            body["interacted_message_id"] = self.message_id
        elif self.type == 5:
            opener = modal_openers.get(self.custom_id or "")
            body["triggering_interaction_metadata"] = opener or {k: v for k, v in body.items() if k != "id"} | {
                "id": "0",
                "type": 2,
            }
        return body


class ApiError(Exception):
    """A Discord JSON error answer: HTTP status, Discord error code and message."""

    def __init__(self, status: int, code: int, message: str, errors: Json | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> Json:
        body: Json = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def _unknown(what: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


UNAUTHORIZED: Json = {"message": "401: Unauthorized", "code": 0}
NOT_FOUND: Json = {"message": "404: Not Found", "code": 0}
METHOD_NOT_ALLOWED: Json = {"message": "405: Method Not Allowed", "code": 0}


# --------------------------------------------------------------------------------------------- builders


def user(id: str, name: str, bot: bool = False, global_name: str | None = None) -> Json:
    """A user object as REST and the gateway carry it (the new username system: discriminator "0")."""
    body: Json = {
        "id": id,
        "username": name,
        "discriminator": "0",
        "global_name": None if bot else (global_name or name.title()),
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }
    if bot:
        body["bot"] = True
    return body


def bot_user(name: str = "supportbot") -> Json:
    return user(BOT_USER_ID, name, bot=True)


def customer_user() -> Json:
    return user(CUSTOMER_ID, "alice")


def staff_user() -> Json:
    return user(STAFF_USER_ID, "sam")


def role(id: str, name: str, permissions: int, position: int = 0, managed: bool = False, bot_id: str | None = None) -> Json:
    body: Json = {
        "id": id,
        "name": name,
        "description": None,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": managed,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }
    if bot_id:
        body["tags"] = {"bot_id": bot_id}
    return body


def member(user: Json, roles: Iterable[str] = (), permissions: str | None = None, nick: str | None = None) -> Json:
    """A guild member; `permissions` (total, as a string) is what interaction payloads carry, not GUILD_CREATE."""
    body: Json = {
        "user": copy.deepcopy(user),
        "roles": list(roles),
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": nick,
        "avatar": None,
        "banner": None,
        "communication_disabled_until": None,
    }
    if permissions is not None:
        body["permissions"] = permissions
    return body


def overwrite(id: str, kind: int, allow: int = 0, deny: int = 0) -> Json:
    """A permission overwrite: kind 0 = role, 1 = member."""
    return {"id": id, "type": kind, "allow": str(allow), "deny": str(deny)}


def _guild_channel(id: str, name: str, type: int, guild_id: str | None, position: int, overwrites: Iterable[Json]) -> Json:
    body: Json = {
        "id": id,
        "type": type,
        "name": name,
        "position": position,
        "permission_overwrites": list(overwrites),
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }
    if guild_id:
        body["guild_id"] = guild_id
    return body


def text_channel(
    id: str, name: str, guild_id: str | None = None, position: int = 0, overwrites: Iterable[Json] = (), topic: str | None = None
) -> Json:
    body = _guild_channel(id, name, CHANNEL_TEXT, guild_id, position, overwrites)
    body |= {"topic": topic, "default_auto_archive_duration": 1440, "default_thread_rate_limit_per_user": 0}
    return body


def private_text_channel(id: str, name: str, guild_id: str, allowed_role_ids: Iterable[str], position: int = 0) -> Json:
    """A channel @everyone cannot see (the guild id is the @everyone role id) and the given roles can."""
    overwrites = [overwrite(guild_id, 0, deny=VIEW_CHANNEL)] + [overwrite(r, 0, allow=VIEW_CHANNEL) for r in allowed_role_ids]
    return text_channel(id, name, guild_id, position, overwrites, topic="staff only")


def forum_channel(
    id: str, name: str, guild_id: str | None = None, tags: Mapping[str, str] | None = None, position: int = 1
) -> Json:
    """A forum (type 15): each post is a thread whose starter message has the thread's id."""
    body = _guild_channel(id, name, CHANNEL_FORUM, guild_id, position, ())
    available = [
        {"id": tag_id, "name": tag, "moderated": False, "emoji_id": None, "emoji_name": None}
        for tag_id, tag in (FORUM_TAGS if tags is None else tags).items()
    ]
    body |= {
        "available_tags": available,
        "default_reaction_emoji": None,
        "default_sort_order": None,
        "default_forum_layout": 0,
        "default_auto_archive_duration": 4320,
        "default_thread_rate_limit_per_user": 0,
        "template": "",
    }
    return body


def thread_channel(
    id: str, parent: Json, owner_id: str, name: str, type: int = CHANNEL_PUBLIC_THREAD, auto_archive_duration: int = 1440
) -> Json:
    now = iso_now()
    metadata: Json = {
        "archived": False,
        "auto_archive_duration": auto_archive_duration,
        "archive_timestamp": now,
        "locked": False,
        "create_timestamp": now,
    }
    if type == CHANNEL_PRIVATE_THREAD:
        metadata["invitable"] = True
    return {
        "id": id,
        "type": type,
        "guild_id": parent.get("guild_id"),
        "parent_id": parent["id"],
        "owner_id": owner_id,
        "name": name,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "rate_limit_per_user": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": metadata,
    }


def dm_channel(id: str, recipient: Json) -> Json:
    return {"id": id, "type": CHANNEL_DM, "last_message_id": None, "flags": 0, "recipients": [copy.deepcopy(recipient)]}


def guild(
    id: str,
    name: str,
    owner_id: str,
    channels: Iterable[Json] = (),
    members: Iterable[Json] = (),
    roles: Iterable[Json] = (),
    everyone_permissions: int = EVERYONE_PERMISSIONS,
) -> Json:
    """A guild with its @everyone role (id = guild id), channels and members (FakeDiscord indexes them)."""
    all_roles = [role(id, "@everyone", everyone_permissions), *roles]
    return {
        "id": id,
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": owner_id,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "roles": all_roles,
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "channels": [c | {"guild_id": id} for c in channels],
        "members": list(members),
    }


def support_guild() -> Json:
    """The default world: #support (text), #tickets (forum with tags), #staff (private), a customer, staff and the bot."""
    return guild(
        GUILD_ID,
        "Support HQ",
        owner_id=STAFF_USER_ID,
        roles=[
            role(STAFF_ROLE_ID, "Staff", STAFF_PERMISSIONS, position=2),
            role(BOT_ROLE_ID, "supportbot", BOT_PERMISSIONS, position=1, managed=True, bot_id=BOT_USER_ID),
        ],
        channels=[
            text_channel(SUPPORT_CHANNEL_ID, "support", position=0, topic="Ask us anything"),
            forum_channel(FORUM_CHANNEL_ID, "tickets", position=1),
            private_text_channel(STAFF_CHANNEL_ID, "staff", GUILD_ID, [STAFF_ROLE_ID, BOT_ROLE_ID], position=2),
        ],
        members=[member(bot_user(), [BOT_ROLE_ID]), member(customer_user()), member(staff_user(), [STAFF_ROLE_ID])],
    )


def _split_member(user_or_member: Json) -> tuple[Json, Json | None]:
    """Builders take a user or a member: return (user, member-or-None)."""
    if "user" in user_or_member:
        return user_or_member["user"], user_or_member
    return user_or_member, None


def attachment(filename: str, content: bytes = b"", content_type: str = "text/plain", url: str | None = None) -> Json:
    attachment_id = new_snowflake()
    link = url or f"https://cdn.discordapp.com/attachments/0/{attachment_id}/{filename}"
    return {
        "id": attachment_id,
        "filename": filename,
        "size": len(content),
        "url": link,
        "proxy_url": link,
        "content_type": content_type,
    }


def message_create(
    channel_id: str,
    author: Json,
    content: str,
    guild_id: str | None = None,
    message_id: str | None = None,
    mentions: Iterable[Json] = (),
    attachments: Iterable[Json | str] = (),
    type: int = 0,
    thread: bool = False,
) -> Json:
    """A MESSAGE_CREATE payload from a person; `author` is a user or a member, `thread=True` marks a thread channel.

    In a guild the payload carries `member` (the author's member without `user`) and each mention its `member`,
    as the gateway does; FakeDiscord.dispatch fills `member` from its guild when the author is a bare user."""
    author_user, author_member = _split_member(author)
    body: Json = {
        "id": message_id or new_snowflake(),
        "channel_id": channel_id,
        "author": copy.deepcopy(author_user),
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": "@everyone" in content,
        "mentions": [copy.deepcopy(_split_member(m)[0]) for m in mentions],
        "mention_roles": [],
        "attachments": [attachment(a) if isinstance(a, str) else a for a in attachments],
        "embeds": [],
        "components": [],
        "pinned": False,
        "type": type,
        "flags": 0,
        "nonce": str(secrets.randbits(60)),
    }
    if guild_id:
        body["guild_id"] = guild_id
        if author_member is not None:
            body["member"] = {k: v for k, v in author_member.items() if k not in ("user", "permissions")}
    if thread:
        body["position"] = 0
    return body


def _interaction(type: int, user_or_member: Json, channel_id: str, guild_id: str | None, data: Json, permissions: int) -> Json:
    the_user, the_member = _split_member(user_or_member)
    body: Json = {
        "id": new_snowflake(),
        "application_id": APP_ID,
        "type": type,
        "data": data,
        "token": _interaction_token(),
        "version": 1,
        "channel_id": channel_id,
        "channel": {"id": channel_id, "type": CHANNEL_TEXT if guild_id else CHANNEL_DM},
        "app_permissions": str(BOT_PERMISSIONS),
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": guild_id or "0"},
        "context": 0 if guild_id else 1,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild_id:
        the_member = copy.deepcopy(the_member) if the_member else member(the_user)
        the_member.setdefault("permissions", str(permissions))
        body |= {"guild_id": guild_id, "guild_locale": "en-US", "guild": {"id": guild_id, "locale": "en-US", "features": []}}
        body["member"] = the_member
    else:
        body["user"] = copy.deepcopy(the_user)
    return body


def component_interaction(
    user_or_member: Json,
    channel_id: str,
    message: Json,
    custom_id: str,
    guild_id: str | None = None,
    component_type: int = 2,
    values: Sequence[str] | None = None,
) -> Json:
    """A button press (component_type 2) or select (values) on `message` (pass `fake.message(...)`)."""
    data: Json = {"custom_id": custom_id, "component_type": component_type}
    if values is not None:
        data["values"] = list(values)
    body = _interaction(3, user_or_member, channel_id, guild_id, data, EVERYONE_PERMISSIONS)
    body["message"] = copy.deepcopy(message)
    return body


def modal_submit(
    user_or_member: Json, channel_id: str, custom_id: str, values: Mapping[str, str], guild_id: str | None = None
) -> Json:
    """A modal submission: one action row per text input, keyed by the inputs' custom_ids."""
    rows = [
        {"type": 1, "id": 2 * n + 1, "components": [{"type": 4, "id": 2 * n + 2, "custom_id": key, "value": value}]}
        for n, (key, value) in enumerate(values.items())
    ]
    return _interaction(
        5, user_or_member, channel_id, guild_id, {"custom_id": custom_id, "components": rows}, EVERYONE_PERMISSIONS
    )


def command_interaction(
    user_or_member: Json,
    channel_id: str,
    name: str,
    options: Iterable[Json] = (),
    guild_id: str | None = None,
    permissions: int = EVERYONE_PERMISSIONS,
    command_id: str | None = None,
) -> Json:
    """A slash command; `command_id` should be the synced command's id (`fake.command(name, guild_id)["id"]`)."""
    data: Json = {"id": command_id or new_snowflake(), "name": name, "type": 1, "options": list(options)}
    if guild_id:
        data["guild_id"] = guild_id
    return _interaction(2, user_or_member, channel_id, guild_id, data, permissions)


# --------------------------------------------------------------------------------------------- spec check


def find_spec() -> Path:
    """Discord's OpenAPI file: $DISCORD_OPENAPI_SPEC, else shared/specs next to or above the repo."""
    return find_spec_file("DISCORD_OPENAPI_SPEC", "discord_openapi.json", "Discord")


class RouteTable:
    """Matches request paths to path templates, the most literal template first (`/messages/pins` before `{message_id}`)."""

    def __init__(self, templates: Iterable[str]) -> None:
        compiled = [(self._pattern(t), t) for t in templates]
        self._routes = sorted(compiled, key=lambda item: [seg.startswith("{") for seg in item[1].split("/")])

    @staticmethod
    def _pattern(template: str) -> re.Pattern[str]:
        parts = [f"(?P<{seg[1:-1]}>[^/]+)" if seg.startswith("{") else re.escape(seg) for seg in template.split("/")]
        return re.compile("^" + "/".join(parts) + "$")

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        for pattern, template in self._routes:
            found = pattern.match(path)
            if found:
                return template, {k: unquote(v) for k, v in found.groupdict().items()}
        return None


def _is_int_snowflake_only(error: ValidationError) -> bool:
    """discord.py sends some snowflakes as JSON integers (attachments[].id, message_reference ids, allowed_mentions
    users); Discord accepts them. True when `error` is only that: an int where the spec wants a snowflake string,
    directly or as the sole failure of one branch of a oneOf/anyOf."""
    if error.validator == "type":
        schema = error.schema if isinstance(error.schema, dict) else {}
        return type(error.instance) is int and schema.get("format") == "snowflake"
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[ValidationError]] = defaultdict(list)
        for sub in error.context:
            branches[sub.relative_schema_path[0]].append(sub)
        return any(all(_is_int_snowflake_only(e) for e in errors) for errors in branches.values())
    return False


class SpecChecker:
    """Validates request bodies (and the fake's own answers) against the spec's JSON schemas, Draft 2020-12."""

    URI = "urn:discord:openapi"

    def __init__(self, spec: Json) -> None:
        self.prefix = urlparse(spec["servers"][0]["url"]).path
        self.paths: Json = spec["paths"]
        self.routes = RouteTable(self.paths)
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(self.URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}

    def operation(self, method: str, route: str) -> Json | None:
        found = self.paths.get(route, {}).get(method.lower())
        return dict(found) if found is not None else None

    def bot_token_required(self, method: str, route: str) -> bool:
        """Routes whose security list has an empty requirement ({}) take a webhook/interaction token instead."""
        operation = self.operation(method, route) or {}
        return {} not in operation.get("security", [{"BotToken": []}])

    def check_request(self, method: str, route: str, body: Any) -> tuple[list[str], list[str]]:
        """(violations, tolerated deviations) of a JSON body against the operation's application/json schema."""
        operation = self.operation(method, route)
        content = (operation or {}).get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return ([f"{method} {route}: the spec defines no JSON body"] if body is not None else []), []
        pointer = f"/paths/{_escape(route)}/{method.lower()}/requestBody/content/application~1json/schema"
        return self._check(f"{method} {route}", pointer, body)

    def check_response(self, method: str, route: str, status: int, body: Any) -> list[str]:
        responses = (self.operation(method, route) or {}).get("responses", {})
        if str(status) not in responses:
            return [f"{method} {route}: status {status} is not a documented answer"]
        if "application/json" not in responses[str(status)].get("content", {}):
            return []
        pointer = f"/paths/{_escape(route)}/{method.lower()}/responses/{status}/content/application~1json/schema"
        violations, _tolerated = self._check(f"{method} {route} -> {status}", pointer, body)
        return violations

    def _check(self, label: str, pointer: str, body: Any) -> tuple[list[str], list[str]]:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = Draft202012Validator({"$ref": f"{self.URI}#{pointer}"}, registry=self._registry)
            self._validators[pointer] = validator
        violations: list[str] = []
        tolerated: list[str] = []
        for error in validator.iter_errors(body):
            target = tolerated if _is_int_snowflake_only(error) else violations
            shown = best_match([error])
            target.append(f"{label}: {shown.message[:300]} at {shown.json_path}")
        return violations, tolerated


def _escape(route: str) -> str:
    return route.replace("~", "~0").replace("/", "~1")


# --------------------------------------------------------------------------------------------- permissions


def _bits(value: Any) -> int:
    return int(value or 0)


def channel_permissions(guild: Json, member: Json, channel: Json) -> int:
    """Discord's permission algorithm: @everyone + roles, ADMINISTRATOR and owner win, then channel overwrites."""
    user_id = member["user"]["id"]
    if guild["owner_id"] == user_id:
        return ALL_PERMISSIONS
    roles = {r["id"]: r for r in guild["roles"]}
    perms = _bits(roles[guild["id"]]["permissions"])
    for role_id in member["roles"]:
        perms |= _bits(roles.get(role_id, {}).get("permissions"))
    if perms & ADMINISTRATOR:
        return ALL_PERMISSIONS
    overwrites = {o["id"]: o for o in channel.get("permission_overwrites", [])}
    if everyone := overwrites.get(guild["id"]):
        perms = (perms & ~_bits(everyone["deny"])) | _bits(everyone["allow"])
    allow = deny = 0
    for role_id in member["roles"]:
        if found := overwrites.get(role_id):
            allow, deny = allow | _bits(found["allow"]), deny | _bits(found["deny"])
    perms = (perms & ~deny) | allow
    if mine := overwrites.get(user_id):
        perms = (perms & ~_bits(mine["deny"])) | _bits(mine["allow"])
    return perms if perms & VIEW_CHANNEL else 0


# --------------------------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    route: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    files: tuple[Upload, ...] = ()

    def json_body(self) -> Json:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        return self.body


class World:
    """Discord's state as the bot sees it, kept as Discord JSON objects (no I/O; FakeDiscord locks it).

    Changes the real Discord would announce on the gateway are queued in `events` for FakeDiscord to dispatch."""

    def __init__(self, bot: Json, app_flags: int, attachments_base: Callable[[], str], interaction_window: float) -> None:
        self.bot = bot
        self.app_flags = app_flags
        self.attachments_base = attachments_base
        self.interaction_window = interaction_window
        self.users: dict[str, Json] = {bot["id"]: bot}
        self.guilds: dict[str, Json] = {}
        self.members: dict[str, dict[str, Json]] = {}
        self.channels: dict[str, Json] = {}
        self.messages: dict[str, dict[str, Json]] = {}
        self.commands: dict[str | None, dict[tuple[str, int], Json]] = {}
        self.interactions: dict[str, _Interaction] = {}
        self.interaction_responses: list[InteractionResponse] = []
        self.modal_openers: dict[str, Json] = {}
        self.uploads: dict[str, bytes] = {}
        self.events: list[tuple[str, Json]] = []

    # ---- setup

    def add_guild(self, data: Json) -> None:
        data = copy.deepcopy(data)
        gid = data["id"]
        for channel in data.pop("channels", []):
            self.channels[channel["id"]] = channel | {"guild_id": gid}
        self.members[gid] = {}
        for m in data.pop("members", []):
            self.add_member(gid, m)
        self.guilds[gid] = data

    def add_member(self, guild_id: str, data: Json) -> None:
        data = copy.deepcopy(data)
        data.pop("permissions", None)
        self.users.setdefault(data["user"]["id"], data["user"])
        self.members[guild_id][data["user"]["id"]] = data

    def add_channel(self, channel: Json) -> Json:
        self.channels[channel["id"]] = copy.deepcopy(channel)
        return self.channels[channel["id"]]

    def open_dm(self, user_id: str) -> Json:
        for channel in self.channels.values():
            if channel["type"] == CHANNEL_DM and channel["recipients"][0]["id"] == user_id:
                return channel
        if user_id not in self.users:
            raise _unknown("User", 10013)
        return self.add_channel(dm_channel(new_snowflake(), self.users[user_id]))

    # ---- lookups

    def channel(self, channel_id: str) -> Json:
        found = self.channels.get(channel_id)
        if found is None:
            raise _unknown("Channel", 10003)
        return found

    def guild(self, guild_id: str) -> Json:
        found = self.guilds.get(guild_id)
        if found is None:
            raise _unknown("Guild", 10004)
        return found

    def message(self, channel_id: str, message_id: str) -> Json:
        found = self.messages.get(channel_id, {}).get(message_id)
        if found is None:
            raise _unknown("Message", 10008)
        return found

    def bot_member(self, guild_id: str) -> Json:
        found = self.members.get(guild_id, {}).get(self.bot["id"])
        if found is None:
            raise ApiError(403, 50001, "Missing Access")
        return found

    def require(self, channel: Json, *needed: int) -> None:
        """403 like Discord when the bot lacks a permission in the channel (threads use their parent's overwrites)."""
        guild_id = channel.get("guild_id")
        if not guild_id:
            return
        scope = self.channels.get(channel.get("parent_id") or "", channel) if channel["type"] in THREAD_TYPES else channel
        perms = channel_permissions(self.guild(guild_id), self.bot_member(guild_id), scope)
        if not perms & VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        if any(not perms & bit for bit in needed):
            raise ApiError(403, 50013, "Missing Permissions")

    # ---- messages

    def new_message(self, channel: Json, body: Json, uploads: Sequence[Upload] = (), **extra: Any) -> Json:
        content = str(body.get("content") or "")
        message: Json = {
            "id": extra.pop("id", None) or new_snowflake(),
            "channel_id": channel["id"],
            "author": copy.deepcopy(self.bot),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [
                copy.deepcopy(self.users[u]) for u in dict.fromkeys(re.findall(r"<@!?(\d+)>", content)) if u in self.users
            ],
            "mention_roles": list(dict.fromkeys(re.findall(r"<@&(\d+)>", content))),
            "attachments": self._attachments(channel["id"], body, uploads, []),
            "embeds": [_rich_embed(e) for e in body.get("embeds") or []],
            "components": _number_components(body.get("components") or []),
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0) & SENDABLE_FLAGS,
        }
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if body.get("message_reference"):
            self._reference(message, body["message_reference"], channel)
        if channel["type"] in THREAD_TYPES:
            message["position"] = channel["total_message_sent"]
        message |= extra
        return message

    def store(self, message: Json, announce: str | None = "MESSAGE_CREATE") -> Json:
        channel_id = message["channel_id"]
        self.messages.setdefault(channel_id, {})[message["id"]] = message
        if channel := self.channels.get(channel_id):
            channel["last_message_id"] = message["id"]
            if channel["type"] in THREAD_TYPES and announce == "MESSAGE_CREATE":
                channel["message_count"] += 1
                channel["total_message_sent"] += 1
        if announce and not message["flags"] & FLAG_EPHEMERAL:
            self.events.append((announce, self.gateway_message(message)))
        return message

    def edit(self, message: Json, body: Json, uploads: Sequence[Upload] = ()) -> Json:
        if message["author"]["id"] != self.bot["id"]:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        if "content" in body:
            message["content"] = str(body["content"] or "")
        if "embeds" in body:
            message["embeds"] = [_rich_embed(e) for e in body["embeds"] or []]
        if "components" in body:
            message["components"] = _number_components(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            message["flags"] = (message["flags"] & ~(SENDABLE_FLAGS | FLAG_LOADING)) | (int(body["flags"]) & SENDABLE_FLAGS)
        message["flags"] &= ~FLAG_LOADING
        if "attachments" in body or uploads:
            message["attachments"] = self._attachments(message["channel_id"], body, uploads, message["attachments"])
        message["edited_timestamp"] = iso_now()
        return self.store(message, announce="MESSAGE_UPDATE")

    def gateway_message(self, message: Json) -> Json:
        """The MESSAGE_CREATE form of a stored message: in a guild it carries the author's member."""
        data = copy.deepcopy(message)
        guild_members = self.members.get(message.get("guild_id") or "", {})
        if author := guild_members.get(message["author"]["id"]):
            data["member"] = {k: v for k, v in author.items() if k != "user"}
        return data

    def _reference(self, message: Json, reference: Json, channel: Json) -> None:
        channel_id = str(reference.get("channel_id") or channel["id"])
        referenced = self.messages.get(channel_id, {}).get(str(reference.get("message_id")))
        if referenced is None and reference.get("fail_if_not_exists", True):
            errors = {
                "message_reference": {"_errors": [{"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "message": "Unknown message"}]}
            }
            raise ApiError(400, 50035, "Invalid Form Body", errors)
        message["message_reference"] = {"type": 0, "channel_id": channel_id, "message_id": str(reference.get("message_id"))}
        if channel.get("guild_id"):
            message["message_reference"]["guild_id"] = channel["guild_id"]
        message["type"] = 19
        message["referenced_message"] = copy.deepcopy(referenced)

    def _attachments(self, channel_id: str, body: Json, uploads: Sequence[Upload], existing: list[Json]) -> list[Json]:
        """Keep the existing attachments `body.attachments` names by id; add one per uploaded `files[n]`."""
        kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
        result = [a for a in existing if a["id"] in kept_ids]
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        for upload in uploads:
            index = upload.field.removeprefix("files[").removesuffix("]")
            attachment_id = new_snowflake()
            url = f"{self.attachments_base()}/{channel_id}/{attachment_id}/{upload.filename}"
            self.uploads[url] = upload.data
            entry = {
                "id": attachment_id,
                "filename": upload.filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": upload.content_type,
            }
            if description := described.get(index, {}).get("description"):
                entry["description"] = description
            result.append(entry)
        return result

    # ---- threads

    def start_thread(self, parent: Json, name: str, owner_id: str, type: int, thread_id: str | None = None, **extra: Any) -> Json:
        thread = thread_channel(
            thread_id or new_snowflake(), parent, owner_id, name, type, int(extra.pop("auto_archive_duration", 1440))
        )
        thread |= {k: v for k, v in extra.items() if v is not None}
        thread["member"] = {"id": thread["id"], "user_id": self.bot["id"], "join_timestamp": iso_now(), "flags": 0}
        self.add_channel(thread)
        self.events.append(("THREAD_CREATE", copy.deepcopy(self.channels[thread["id"]]) | {"newly_created": True}))
        return self.channels[thread["id"]]

    # ---- interactions

    def interaction(self, interaction_id: str | None, token: str) -> _Interaction:
        found = self.interactions.get(token)
        if found is None or (interaction_id is not None and found.id != interaction_id):
            raise _unknown("interaction", 10062)
        return found

    def webhook_interaction(self, webhook_id: str, token: str) -> _Interaction:
        found = self.interactions.get(token)
        if webhook_id != APP_ID or found is None or found.response_type is None:
            raise _unknown("Webhook", 10015)
        return found

    def interaction_message(self, it: _Interaction, body: Json, extra_flags: int = 0) -> Json:
        """A message an interaction answer creates: authored by the bot through the app's webhook."""
        channel = self.channels.get(it.channel_id) or self.add_channel(dm_channel(it.channel_id, it.user))
        metadata = it.metadata(self.modal_openers)
        kind = 20 if it.type == 2 else 0  # CHAT_INPUT_COMMAND replies have their own message type
        message = self.new_message(
            channel, body, webhook_id=APP_ID, application_id=APP_ID, interaction_metadata=metadata, type=kind
        )
        message["flags"] = (int(body.get("flags") or 0) & (SENDABLE_FLAGS | FLAG_EPHEMERAL)) | extra_flags
        return message

    # ---- gateway enrichment

    def observe(self, event: str, data: Json) -> Json:
        """Keep the world in step with an event a test dispatches, and complete payloads from it like Discord would."""
        if event == "MESSAGE_CREATE":
            self._observe_message(data)
        elif event == "MESSAGE_UPDATE" and data.get("id") in self.messages.get(data.get("channel_id", ""), {}):
            self.messages[data["channel_id"]][data["id"]] |= copy.deepcopy(data)
        elif event == "MESSAGE_DELETE":
            self.messages.get(data.get("channel_id", ""), {}).pop(data.get("id", ""), None)
        elif event in ("CHANNEL_CREATE", "THREAD_CREATE", "CHANNEL_UPDATE", "THREAD_UPDATE"):
            self.add_channel(data)
        elif event == "GUILD_MEMBER_ADD" and data.get("guild_id") in self.members:
            self.add_member(data["guild_id"], data)
        elif event == "INTERACTION_CREATE":
            self._observe_interaction(data)
        return data

    def _observe_message(self, data: Json) -> None:
        guild_id = data.get("guild_id")
        if guild_id and "member" not in data and (found := self.members.get(guild_id, {}).get(data["author"]["id"])):
            data["member"] = {k: v for k, v in found.items() if k != "user"}
        if not guild_id and data["channel_id"] not in self.channels:
            self.add_channel(dm_channel(data["channel_id"], data["author"]))
        self.users.setdefault(data["author"]["id"], copy.deepcopy(data["author"]))
        self.messages.setdefault(data["channel_id"], {})[data["id"]] = {
            k: v for k, v in copy.deepcopy(data).items() if k != "member"
        }

    def _observe_interaction(self, data: Json) -> None:
        channel = self.channels.get(data.get("channel_id", ""))
        if channel is not None:
            data["channel"] = copy.deepcopy(channel)
        elif "guild_id" in data:
            data["channel"] = {"name": "unknown", "position": 0, "guild_id": data["guild_id"]} | data["channel"]
        the_user = data["member"]["user"] if "member" in data else data["user"]
        message_id = data.get("message", {}).get("id")
        custom_id = (data.get("data") or {}).get("custom_id")
        self.interactions[data["token"]] = _Interaction(
            data["id"],
            data["token"],
            data["type"],
            data["channel_id"],
            data.get("guild_id"),
            message_id,
            the_user,
            time.monotonic(),
            custom_id,
        )

    def guild_create(self, guild_id: str, with_members: bool) -> Json:
        """GUILD_CREATE as sent after READY; without the GUILD_MEMBERS intent only the bot's own member is included."""
        payload = copy.deepcopy(self.guilds[guild_id])
        members = list(self.members[guild_id].values())
        shown = members if with_members else [m for m in members if m["user"]["id"] == self.bot["id"]]
        in_guild = [c for c in self.channels.values() if c.get("guild_id") == guild_id]
        payload |= {
            "channels": [{k: v for k, v in c.items() if k != "guild_id"} for c in in_guild if c["type"] not in THREAD_TYPES],
            "threads": [c for c in in_guild if c["type"] in THREAD_TYPES and not c["thread_metadata"]["archived"]],
            "members": copy.deepcopy(shown),
            "member_count": len(members),
            "large": len(members) >= 250,
            "joined_at": self.members[guild_id].get(self.bot["id"], {}).get("joined_at", iso_now()),
            "unavailable": False,
            "lazy": True,
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
            "activity_instances": [],
            "application_command_counts": {},
            "incidents_data": None,
        }
        return copy.deepcopy(payload)


def _rich_embed(embed: Json) -> Json:
    return {"type": "rich", **copy.deepcopy(embed)}


def _number_components(components: list[Json]) -> list[Json]:
    """Echo components with the numeric `id`s Discord assigns depth-first to those that have none."""
    result = copy.deepcopy(components)
    counter = iter(range(1, 10_000))

    def walk(items: list[Json]) -> None:
        for item in items:
            item.setdefault("id", next(counter))
            walk(item.get("components", []))
            if isinstance(item.get("component"), dict):
                walk([item["component"]])
            if isinstance(item.get("accessory"), dict):
                walk([item["accessory"]])

    walk(result)
    return result


# --------------------------------------------------------------------------------------------- REST handlers

Reply = tuple[int, Any]


def _get_me(w: World, r: ApiRequest) -> Reply:
    return 200, w.bot | {"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "premium_type": 0}


def _get_application(w: World, r: ApiRequest) -> Reply:
    owner = w.users.get(STAFF_USER_ID) or staff_user()
    return 200, {
        "id": APP_ID,
        "name": w.bot["username"],
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot": copy.deepcopy(w.bot),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": hashlib.sha256(APP_ID.encode()).hexdigest(),
        "flags": w.app_flags,
        "flags_new": str(w.app_flags),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "eligible_oauth2_scopes": ["applications.commands", "bot"],
        "owner": copy.deepcopy(owner),
        "team": None,
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "tags": [],
        "approximate_guild_count": len(w.guilds),
        "integration_types_config": {"0": {}},
        "explicit_content_filter": 0,
        "is_monetized": False,
        "is_verified": False,
        "is_discoverable": False,
        "hook": True,
        "storefront_available": False,
    }


def _get_channel(w: World, r: ApiRequest) -> Reply:
    return 200, w.channel(r.params["channel_id"])


def _get_guild_channels(w: World, r: ApiRequest) -> Reply:
    guild_id = w.guild(r.params["guild_id"])["id"]
    return 200, [c for c in w.channels.values() if c.get("guild_id") == guild_id and c["type"] not in THREAD_TYPES]


def _get_member(w: World, r: ApiRequest) -> Reply:
    w.guild(r.params["guild_id"])
    found = w.members[r.params["guild_id"]].get(r.params["user_id"])
    if found is None:
        raise _unknown("Member", 10007)
    return 200, found


def _open_dm(w: World, r: ApiRequest) -> Reply:
    return 200, w.open_dm(str(r.json_body().get("recipient_id")))


def _check_sendable(body: Json, uploads: Sequence[Upload]) -> None:
    if len(str(body.get("content") or "")) > 2000:
        errors = {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}}
        raise ApiError(400, 50035, "Invalid Form Body", errors)
    parts = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    if not uploads and not any(body.get(p) for p in parts):
        raise ApiError(400, 50006, "Cannot send an empty message")


def _post_message(w: World, r: ApiRequest) -> Reply:
    channel = w.channel(r.params["channel_id"])
    w.require(channel, SEND_MESSAGES_IN_THREADS if channel["type"] in THREAD_TYPES else SEND_MESSAGES)
    if channel["type"] == CHANNEL_FORUM:
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
    body = r.json_body()
    _check_sendable(body, r.files)
    return 200, w.store(w.new_message(channel, body, r.files))


def _list_messages(w: World, r: ApiRequest) -> Reply:
    channel = w.channel(r.params["channel_id"])
    w.require(channel, READ_MESSAGE_HISTORY)
    stored = sorted(w.messages.get(channel["id"], {}).values(), key=lambda m: int(m["id"]), reverse=True)
    if before := r.query.get("before"):
        stored = [m for m in stored if int(m["id"]) < int(before)]
    if after := r.query.get("after"):
        stored = [m for m in stored if int(m["id"]) > int(after)]
    return 200, stored[: int(r.query.get("limit", 50))]


def _get_message(w: World, r: ApiRequest) -> Reply:
    channel = w.channel(r.params["channel_id"])
    w.require(channel, READ_MESSAGE_HISTORY)
    return 200, w.message(channel["id"], r.params["message_id"])


def _edit_message(w: World, r: ApiRequest) -> Reply:
    message = w.message(w.channel(r.params["channel_id"])["id"], r.params["message_id"])
    return 200, w.edit(message, r.json_body(), r.files)


def _delete_message(w: World, r: ApiRequest) -> Reply:
    channel = w.channel(r.params["channel_id"])
    message = w.message(channel["id"], r.params["message_id"])
    if message["author"]["id"] != w.bot["id"]:
        w.require(channel, MANAGE_MESSAGES)
    del w.messages[channel["id"]][message["id"]]
    event = {"id": message["id"], "channel_id": channel["id"]} | ({"guild_id": g} if (g := channel.get("guild_id")) else {})
    w.events.append(("MESSAGE_DELETE", event))
    return 204, None


def _add_reaction(w: World, r: ApiRequest) -> Reply:
    channel = w.channel(r.params["channel_id"])
    w.require(channel, ADD_REACTIONS, READ_MESSAGE_HISTORY)
    w.message(channel["id"], r.params["message_id"])
    return 204, None


def _typing(w: World, r: ApiRequest) -> Reply:
    w.require(w.channel(r.params["channel_id"]), SEND_MESSAGES)
    return 204, None


def _thread_from_message(w: World, r: ApiRequest) -> Reply:
    """A thread started on a message has the message's id; the message gains `thread` and the HAS_THREAD flag."""
    channel = w.channel(r.params["channel_id"])
    w.require(channel, CREATE_PUBLIC_THREADS)
    message = w.message(channel["id"], r.params["message_id"])
    if message.get("thread"):
        raise ApiError(400, 160004, "A thread has already been created for this message")
    body = r.json_body()
    thread = w.start_thread(
        channel,
        str(body.get("name")),
        w.bot["id"],
        CHANNEL_PUBLIC_THREAD,
        message["id"],
        auto_archive_duration=body.get("auto_archive_duration") or 1440,
        rate_limit_per_user=body.get("rate_limit_per_user"),
    )
    message["thread"] = copy.deepcopy(thread)
    message["flags"] |= FLAG_HAS_THREAD
    w.events.append(("MESSAGE_UPDATE", w.gateway_message(message)))
    return 201, thread


def _thread_without_message(w: World, r: ApiRequest) -> Reply:
    """POST /channels/{id}/threads: a forum post (thread + starter message with the thread's id) or a bare thread."""
    channel = w.channel(r.params["channel_id"])
    body = r.json_body()
    if channel["type"] == CHANNEL_FORUM:
        w.require(channel, SEND_MESSAGES)
        starter = body.get("message") or {}
        _check_sendable(starter, r.files)
        thread = w.start_thread(
            channel,
            str(body.get("name")),
            w.bot["id"],
            CHANNEL_PUBLIC_THREAD,
            auto_archive_duration=body.get("auto_archive_duration") or channel.get("default_auto_archive_duration", 4320),
            applied_tags=[str(t) for t in body.get("applied_tags") or []],
            rate_limit_per_user=body.get("rate_limit_per_user"),
        )
        first = w.store(w.new_message(thread, starter, r.files, id=thread["id"]))
        return 201, thread | {"message": first}
    kind = int(body.get("type") or CHANNEL_PRIVATE_THREAD)
    w.require(channel, CREATE_PRIVATE_THREADS if kind == CHANNEL_PRIVATE_THREAD else CREATE_PUBLIC_THREADS)
    thread = w.start_thread(
        channel,
        str(body.get("name")),
        w.bot["id"],
        kind,
        auto_archive_duration=body.get("auto_archive_duration") or 1440,
        rate_limit_per_user=body.get("rate_limit_per_user"),
    )
    return 201, thread


def _commands_scope(w: World, r: ApiRequest) -> str | None:
    if r.params["application_id"] != APP_ID:
        raise _unknown("Application", 10002)
    guild_id = r.params.get("guild_id")
    if guild_id is not None:
        w.bot_member(w.guild(guild_id)["id"])
    return guild_id


def _get_commands(w: World, r: ApiRequest) -> Reply:
    return 200, list(w.commands.get(_commands_scope(w, r), {}).values())


def _put_commands(w: World, r: ApiRequest) -> Reply:
    """Bulk overwrite: commands keep their id when name and type match, and each gets a new version."""
    scope = _commands_scope(w, r)
    existing = w.commands.get(scope, {})
    replaced: dict[tuple[str, int], Json] = {}
    for given in r.body or []:
        key = (str(given["name"]), int(given.get("type") or 1))
        old = existing.get(key, {})
        permissions = given.get("default_member_permissions")
        command: Json = {
            "id": old.get("id") or new_snowflake(),
            "application_id": APP_ID,
            "version": new_snowflake(),
            "type": key[1],
            "name": key[0],
            "name_localizations": given.get("name_localizations"),
            "description": given.get("description") or "",
            "description_localizations": given.get("description_localizations"),
            "default_member_permissions": None if permissions is None else str(permissions),
            "nsfw": bool(given.get("nsfw")),
            "contexts": given.get("contexts"),
            "integration_types": given.get("integration_types") or [0],
        }
        if given.get("options"):
            command["options"] = copy.deepcopy(given["options"])
        if scope is None:
            command["dm_permission"] = given.get("dm_permission", True) is not False
        else:
            command["guild_id"] = scope
        replaced[key] = command
    w.commands[scope] = replaced
    return 200, list(replaced.values())


def _interaction_callback(w: World, r: ApiRequest) -> Reply:
    """Acknowledge an interaction once, within the window; answer an InteractionCallbackResponse if with_response."""
    it = w.interaction(r.params["interaction_id"], r.params["interaction_token"])
    if it.response_type is not None:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    now = time.monotonic()
    if now - it.dispatched_at > w.interaction_window:
        raise _unknown("interaction", 10062)
    body = r.json_body()
    kind, data = int(body.get("type") or 0), body.get("data") or {}
    it.response_type = kind
    w.interaction_responses.append(InteractionResponse(it.id, kind, copy.deepcopy(data), now, now - it.dispatched_at))
    message = _callback_message(w, it, kind, data, r.files)
    if r.query.get("with_response", "").lower() not in ("1", "true"):
        return 204, None
    flags = int(message["flags"]) if message else int(data.get("flags") or 0)
    answer: Json = {
        "interaction": {
            "id": it.id,
            "type": it.type,
            "activity_instance_id": None,
            "response_message_id": it.original_id,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & FLAG_EPHEMERAL),
        }
    }
    if it.original_id is None:
        del answer["interaction"]["response_message_id"]
    if message is not None and kind in (4, 7):
        answer["resource"] = {"type": kind, "message": message}
    return 200, answer


def _callback_message(w: World, it: _Interaction, kind: int, data: Json, uploads: Sequence[Upload]) -> Json | None:
    """The message a callback creates or changes: 4 sends, 5 shows "thinking", 6 defers an update, 7 edits in place."""
    if kind == 4:
        _check_sendable(data, uploads)
        message = w.store(w.interaction_message(it, data))
        it.original_id = message["id"]
        return message
    if kind == 5:
        loading = w.store(w.interaction_message(it, {"flags": data.get("flags")}, FLAG_LOADING))
        it.original_id = loading["id"]
        return loading
    if kind == 9 and data.get("custom_id"):
        w.modal_openers[str(data["custom_id"])] = it.metadata(w.modal_openers)
    if kind in (6, 7) and it.message_id:
        it.original_id = it.message_id
        target = w.messages.get(it.channel_id, {}).get(it.message_id)
        return w.edit(target, data, uploads) if kind == 7 and target else target
    return None


def _followup(w: World, r: ApiRequest) -> Reply:
    it = w.webhook_interaction(r.params["webhook_id"], r.params["webhook_token"])
    body = r.json_body()
    _check_sendable(body, r.files)
    message = w.store(w.interaction_message(it, body))
    return (200, message) if r.query.get("wait", "").lower() in ("1", "true") else (204, None)


def _webhook_message(w: World, r: ApiRequest) -> Json:
    it = w.webhook_interaction(r.params["webhook_id"], r.params["webhook_token"])
    wanted = r.params.get("message_id", "@original")
    return w.message(it.channel_id, str(it.original_id if wanted == "@original" else wanted))


def _get_webhook_message(w: World, r: ApiRequest) -> Reply:
    return 200, _webhook_message(w, r)


def _edit_webhook_message(w: World, r: ApiRequest) -> Reply:
    return 200, w.edit(_webhook_message(w, r), r.json_body(), r.files)


def _delete_webhook_message(w: World, r: ApiRequest) -> Reply:
    message = _webhook_message(w, r)
    del w.messages[message["channel_id"]][message["id"]]
    return 204, None


def _gateway_bot(w: World, r: ApiRequest) -> Reply:
    raise AssertionError("answered by FakeDiscord, which knows the gateway URL")


Handler = Callable[[World, ApiRequest], Reply]
ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "/users/@me"): _get_me,
    ("GET", "/gateway"): _gateway_bot,
    ("GET", "/gateway/bot"): _gateway_bot,
    ("GET", "/applications/@me"): _get_application,
    ("GET", "/oauth2/applications/@me"): _get_application,
    ("GET", "/channels/{channel_id}"): _get_channel,
    ("GET", "/guilds/{guild_id}/channels"): _get_guild_channels,
    ("GET", "/guilds/{guild_id}/members/{user_id}"): _get_member,
    ("POST", "/users/@me/channels"): _open_dm,
    ("POST", "/channels/{channel_id}/messages"): _post_message,
    ("GET", "/channels/{channel_id}/messages"): _list_messages,
    ("GET", "/channels/{channel_id}/messages/{message_id}"): _get_message,
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): _edit_message,
    ("DELETE", "/channels/{channel_id}/messages/{message_id}"): _delete_message,
    ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"): _add_reaction,
    ("POST", "/channels/{channel_id}/typing"): _typing,
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads"): _thread_from_message,
    ("POST", "/channels/{channel_id}/threads"): _thread_without_message,
    ("GET", "/applications/{application_id}/commands"): _get_commands,
    ("PUT", "/applications/{application_id}/commands"): _put_commands,
    ("GET", "/applications/{application_id}/guilds/{guild_id}/commands"): _get_commands,
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): _put_commands,
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"): _interaction_callback,
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"): _followup,
    ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): _get_webhook_message,
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): _edit_webhook_message,
    ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): _delete_webhook_message,
    ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): _get_webhook_message,
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): _edit_webhook_message,
    ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): _delete_webhook_message,
}


async def _read_body(request: web.Request) -> tuple[Any, tuple[Upload, ...]]:
    """JSON bodies as they are; multipart ones as their payload_json plus the uploaded files[n] parts."""
    if request.content_type == "application/json":
        return (await request.json() if request.can_read_body else None), ()
    if not request.content_type.startswith("multipart/"):
        return None, ()
    body: Any = None
    uploads: list[Upload] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.name == "payload_json":
            body = json.loads(await part.text())
        else:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads.append(Upload(part.name, part.filename or part.name, content_type, bytes(await part.read())))
    return body, tuple(uploads)


def _json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    """discord.py parses a body only when Content-Type is exactly application/json (no charset)."""
    if body is None:
        return web.Response(status=status, headers=dict(headers or {}))
    return web.Response(
        status=status, body=json.dumps(body).encode(), headers={**(headers or {}), "Content-Type": "application/json"}
    )


def _rate_limit_headers(route: str, retry_after: float, global_: bool) -> dict[str, str]:
    """What Discord sends with a 429; discord.py treats a 429 without `Via` as a Cloudflare ban and raises."""
    headers = {
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": hashlib.md5(route.encode()).hexdigest(),
        "X-RateLimit-Scope": "global" if global_ else "user",
        "Via": "1.1 google",
    }
    if global_:
        headers["X-RateLimit-Global"] = "true"
    return headers


# --------------------------------------------------------------------------------------------- gateway


@dataclass
class _Session:
    id: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    log: list[Dispatch] = field(default_factory=list)
    conn: _Connection | None = None
    ready: bool = False
    invalid: bool = False

    def wants_guild(self, guild_id: str | None) -> bool:
        """Shard routing: guild events go to shard (guild_id >> 22) % count; DMs to shard 0."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return (int(guild_id) >> 22) % count == shard_id if guild_id else shard_id == 0


_CLOSE = object()


class _Connection:
    """One gateway WebSocket: an ordered outbox (fed from any thread) drained by a writer task on the fake's loop.

    With `compress=zlib-stream` in the URL every frame is a binary chunk of one zlib stream ending in the
    Z_SYNC_FLUSH suffix 00 00 ff ff, which is what discord.py's decompressor waits for; otherwise frames are text."""

    def __init__(self, ws: web.WebSocketResponse, lock: threading.RLock, info: GatewayConnection) -> None:
        self.ws = ws
        self.info = info
        self._lock = lock
        self._loop = asyncio.get_running_loop()
        self._zlib = zlib.compressobj() if info.compress == "zlib-stream" else None
        self._outbox: list[tuple[Any, Callable[[], None] | None]] = []
        self._wake = asyncio.Event()
        self.session: _Session | None = None
        self.closing = False
        self.server_close_code: int | None = None
        self.binary_frames = 0
        self.text_frames = 0

    def send(self, payload: Json, on_sent: Callable[[], None] | None = None) -> None:
        with self._lock:
            self._outbox.append((payload, on_sent))
        self._loop.call_soon_threadsafe(self._wake.set)

    def after_sent(self, callback: Callable[[], None]) -> None:
        """Run `callback` on the fake's loop once everything queued so far has been written."""
        with self._lock:
            self._outbox.append((None, callback))
        self._loop.call_soon_threadsafe(self._wake.set)

    def close(self, code: int) -> None:
        """Close after the frames already queued (so e.g. INVALID_SESSION arrives before the close)."""
        with self._lock:
            self._outbox.append((_CLOSE, None))
            self.server_close_code = code
        self._loop.call_soon_threadsafe(self._wake.set)

    async def write_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._lock:
                batch, self._outbox = self._outbox, []
            for payload, on_sent in batch:
                if payload is _CLOSE:
                    self.closing = True
                    await self.ws.close(code=self.server_close_code or 1000, message=b"fake gateway closed the connection")
                    return
                if payload is not None:
                    await self._write(payload)
                if on_sent is not None:
                    on_sent()

    async def _write(self, payload: Json) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        if self._zlib is None:
            self.text_frames += 1
            await self.ws.send_str(text)
        else:
            self.binary_frames += 1
            await self.ws.send_bytes(self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH))


def _required_intent(event: str, data: Json) -> int | None:
    """The intent without which Discord does not send an event (None: always sent)."""
    in_guild = bool(data.get("guild_id"))
    if event.startswith(("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "CHANNEL_", "THREAD_", "GUILD_ROLE_")):
        return INTENT_GUILDS
    if event.startswith("GUILD_MEMBER_") and event != "GUILD_MEMBERS_CHUNK":
        return INTENT_GUILD_MEMBERS
    if event.startswith("MESSAGE_REACTION_"):
        return INTENT_GUILD_MESSAGE_REACTIONS if in_guild else INTENT_DIRECT_MESSAGE_REACTIONS
    if event.startswith("MESSAGE_"):
        return INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES
    if event == "TYPING_START":
        return INTENT_GUILD_MESSAGE_TYPING if in_guild else INTENT_DIRECT_MESSAGE_TYPING
    if event == "PRESENCE_UPDATE":
        return INTENT_GUILD_PRESENCES
    return None


def _without_content(data: Json, bot_id: str) -> Json:
    """What a bot without the MESSAGE_CONTENT intent gets for a guild message that neither it wrote nor mentions it."""
    if not data.get("guild_id") or data.get("author", {}).get("id") == bot_id:
        return data
    if any(m.get("id") == bot_id for m in data.get("mentions", [])):
        return data
    redacted = dict(data) | {"content": "", "embeds": [], "attachments": [], "components": []}
    redacted.pop("poll", None)
    return redacted


class Gateway:
    """The gateway protocol: HELLO, IDENTIFY → READY + GUILD_CREATEs, heartbeats, RESUME with replay, intents, shards."""

    def __init__(self, lock: threading.RLock, world: World, token: str, heartbeat_interval_ms: int) -> None:
        self._lock = lock
        self._world = world
        self._token = token
        self._interval = heartbeat_interval_ms
        self.url = ""
        self.resume_url = ""
        self.connections: list[_Connection] = []
        self.history: list[_Connection] = []
        self.sessions: dict[str, _Session] = {}
        self.opened: list[GatewayConnection] = []
        self.identifies: list[Identify] = []
        self.resumes: list[Resume] = []
        self.filtered: list[Dispatch] = []
        self.presence_updates: list[Json] = []
        self.heartbeats = 0
        self.enforce_privileged_intents = True

    # ---- serving

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, timeout=5.0)
        await ws.prepare(request)
        q = request.query
        info = GatewayConnection(request.path, q.get("v"), q.get("encoding"), q.get("compress"), time.monotonic())
        conn = _Connection(ws, self._lock, info)
        with self._lock:
            self.connections.append(conn)
            self.history.append(conn)
            self.opened.append(info)
        writer = asyncio.create_task(conn.write_loop())
        if info.version not in (None, "10") or info.encoding not in (None, "json"):
            conn.close(4012 if info.version not in (None, "10") else 4002)
        else:
            conn.send(_frame(10, {"heartbeat_interval": self._interval, "_trace": ['["gateway-fake",{"micros":0}]']}))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT and not conn.closing:
                    self._on_payload(conn, msg.data)
        finally:
            self._forget(conn, ws.close_code)
            if not conn.closing:
                writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        return ws

    def _forget(self, conn: _Connection, close_code: int | None) -> None:
        with self._lock:
            self.connections.remove(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if conn.server_close_code is None and close_code in (1000, 1001):
                    session.invalid = True  # a client closing with 1000/1001 ends its session, as on Discord

    async def close_all(self) -> None:
        """On shutdown: close every socket with 1001 (going away) and give the handlers a moment to finish."""
        with self._lock:
            conns = list(self.connections)
        for conn in conns:
            conn.close(1001)
        deadline = time.monotonic() + 2.0
        while self.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    # ---- client payloads

    def _on_payload(self, conn: _Connection, text: str) -> None:
        try:
            payload = json.loads(text)
            op, data = payload["op"], payload.get("d")
        except (ValueError, KeyError, TypeError):
            conn.close(4002)
            return
        if op == 1:
            with self._lock:
                self.heartbeats += 1
            conn.send(_frame(11, None))
        elif op == 2:
            self._identify(conn, data or {})
        elif op == 6:
            self._resume(conn, data or {})
        elif conn.session is None:
            conn.close(4003)  # Not authenticated
        elif op == 8:
            self._members_chunk(conn, data or {})
        elif op == 3:
            with self._lock:
                self.presence_updates.append(data)
        elif op != 4:
            conn.close(4001)  # Unknown opcode

    def _identify(self, conn: _Connection, d: Json) -> None:
        token = str(d.get("token", "")).removeprefix("Bot ")
        intents = d.get("intents")
        raw_shard = d.get("shard")
        shard = (int(raw_shard[0]), int(raw_shard[1])) if isinstance(raw_shard, list) and len(raw_shard) == 2 else None
        code = self._identify_error(conn, token, intents, shard)
        with self._lock:
            session = None if code else _Session(secrets.token_hex(16), int(intents or 0), shard)
            properties = d.get("properties") or {}
            number = intents if type(intents) is int else -1
            self.identifies.append(
                Identify(session.id if session else None, token, number, properties, shard, time.monotonic(), code is None, code)
            )
            if session is None:
                conn.close(code or 4000)
                return
            self.sessions[session.id] = session
            session.conn, conn.session = conn, session
            self._send_ready(session)

    def _identify_error(self, conn: _Connection, token: str, intents: Any, shard: tuple[int, ...] | None) -> int | None:
        if token != self._token:
            return 4004  # Authentication failed
        if conn.session is not None:
            return 4005  # Already authenticated
        if type(intents) is not int or intents < 0:
            return 4013  # Invalid intent(s)
        if shard is not None and not (0 <= shard[0] < shard[1]):
            return 4010  # Invalid shard
        missing = [i for i, flags in PRIVILEGED_INTENTS.items() if intents & i and not self._world.app_flags & flags]
        return 4014 if missing and self.enforce_privileged_intents else None  # Disallowed intent(s)

    def _send_ready(self, session: _Session) -> None:
        guild_ids = [g for g in self._world.guilds if session.wants_guild(g)]
        ready: Json = {
            "v": 10,
            "user": self._world.bot | {"verified": True, "mfa_enabled": False, "email": None, "flags": 0},
            "user_settings": {},
            "guilds": [{"id": g, "unavailable": True} for g in guild_ids],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_url,
            "relationships": [],
            "private_channels": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "application": {"id": APP_ID, "flags": self._world.app_flags},
            "auth": {},
            "_trace": ['["gateway-fake",{"micros":0}]'],
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        self.deliver(session, "READY", ready)
        with_members = bool(session.intents & INTENT_GUILD_MEMBERS)
        for guild_id in guild_ids:
            self.deliver(session, "GUILD_CREATE", self._world.guild_create(guild_id, with_members))
        if session.conn is not None:
            session.conn.after_sent(functools.partial(setattr, session, "ready", True))

    def _resume(self, conn: _Connection, d: Json) -> None:
        with self._lock:
            session = self.sessions.get(str(d.get("session_id")))
            token = str(d.get("token", "")).removeprefix("Bot ")
            seq = d.get("seq") if isinstance(d.get("seq"), int) else None
            if session is None or session.invalid or token != self._token or conn.session is not None:
                self.resumes.append(Resume(str(d.get("session_id")), seq, conn.info.path, (), time.monotonic(), False))
                conn.send(_frame(9, False))
                return
            if session.conn is not None and session.conn is not conn:
                session.conn.close(4000)
            session.conn, conn.session = conn, session
            missed = [e for e in session.log if e.seq is not None and e.seq > (seq or 0)]
            for entry in missed:
                conn.send(_frame(0, entry.data, entry.seq, entry.event))
            session.seq += 1
            conn.send(_frame(0, {"_trace": ['["gateway-fake",{"micros":0}]']}, session.seq, "RESUMED"))
            replayed = tuple(e.seq for e in missed if e.seq is not None)
            self.resumes.append(Resume(session.id, seq, conn.info.path, replayed, time.monotonic(), True))

    def _members_chunk(self, conn: _Connection, d: Json) -> None:
        guild_id = str(d.get("guild_id"))
        members = list(self._world.members.get(guild_id, {}).values())
        if d.get("user_ids"):
            wanted = {str(u) for u in d["user_ids"]} if isinstance(d["user_ids"], list) else {str(d["user_ids"])}
            members = [m for m in members if m["user"]["id"] in wanted]
        elif d.get("query"):
            members = [m for m in members if m["user"]["username"].startswith(d["query"])]
        if d.get("limit"):
            members = members[: int(d["limit"])]
        chunk = {"guild_id": guild_id, "members": members, "chunk_index": 0, "chunk_count": 1, "not_found": []}
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        assert conn.session is not None
        self.deliver(conn.session, "GUILD_MEMBERS_CHUNK", chunk)

    # ---- dispatching

    def live_sessions(self) -> list[_Session]:
        return [s for s in self.sessions.values() if not s.invalid]

    def deliver(self, session: _Session, event: str, data: Json) -> Dispatch:
        """Send an event to a session (or only log it while it is disconnected, for RESUME to replay)."""
        with self._lock:
            needed = _required_intent(event, data)
            if needed is not None and not session.intents & needed:
                record = Dispatch(session.id, None, event, data, time.monotonic())
                self.filtered.append(record)
                return record
            if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not session.intents & INTENT_MESSAGE_CONTENT:
                data = _without_content(data, self._world.bot["id"])
            session.seq += 1
            record = Dispatch(session.id, session.seq, event, copy.deepcopy(data), time.monotonic())
            session.log.append(record)
            if session.conn is not None:
                session.conn.send(_frame(0, record.data, record.seq, event))
            return record

    def broadcast(self, event: str, data: Json) -> list[Dispatch]:
        with self._lock:
            guild_id = data.get("guild_id") if event != "GUILD_CREATE" else data.get("id")
            return [self.deliver(s, event, data) for s in self.live_sessions() if s.wants_guild(guild_id)]

    def detach(self, code: int) -> list[_Session]:
        """Drop every live connection now: events from here on are only logged until the client resumes."""
        with self._lock:
            dropped = [s for s in self.live_sessions() if s.conn is not None]
            for session in dropped:
                assert session.conn is not None
                session.conn.close(code)
                session.conn = None
            return dropped


def _frame(op: int, d: Any, s: int | None = None, t: str | None = None) -> Json:
    return {"op": op, "d": d, "s": s, "t": t}


# --------------------------------------------------------------------------------------------- the fake


class FakeDiscord(FakeServer[Call]):
    """Discord for the real discord.py: REST at `api_base`, the gateway at `gateway_url` (resumes at `resume_gateway_url`)."""

    def __init__(
        self,
        token: str = BOT_TOKEN,
        guilds: Sequence[Json] | None = None,
        app_flags: int = DEFAULT_APP_FLAGS,
        bot: Json | None = None,
        heartbeat_interval_ms: int = HEARTBEAT_INTERVAL_MS,
        interaction_window: float = INTERACTION_WINDOW_S,
        enforce_privileged_intents: bool = True,
        spec_path: Path | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self.token = token
        self.world = World(
            bot or bot_user(), app_flags, lambda: f"http://127.0.0.1:{self._rest.port}/attachments", interaction_window
        )
        for data in [support_guild()] if guilds is None else guilds:
            self.world.add_guild(data)
        self._spec = SpecChecker(load_spec(spec_path or find_spec()))
        missing = [f"{m} {r}" for m, r in ROUTES if self._spec.operation(m, r) is None]
        assert self._spec.prefix == API_PREFIX and not missing, f"spec and fake disagree: {self._spec.prefix}, {missing}"
        self.spec_violations: list[str] = []
        self.spec_tolerated: list[str] = []
        self.response_violations: list[str] = []
        self._calls: list[Call] = []
        self._faults: list[Fault] = []
        self._gateway = Gateway(self._lock, self.world, token, heartbeat_interval_ms)
        self._gateway.enforce_privileged_intents = enforce_privileged_intents
        self._loop: asyncio.AbstractEventLoop | None = None
        self.leaked_tasks = 0  # set by running_fake_discord: tasks its loop still had at close
        rest = web.Application()
        rest.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_rest)
        rest.router.add_get("/attachments/{tail:.*}", self._handle_attachment)
        self._rest = LocalServer(rest)
        ws = web.Application()
        ws.router.add_get("/", self._gateway.handle)
        ws.router.add_get("/resume/", self._gateway.handle)
        ws.on_shutdown.append(lambda _app: self._gateway.close_all())
        self._ws = LocalServer(ws)

    # ---- lifecycle

    async def start(self) -> FakeDiscord:
        self._loop = asyncio.get_running_loop()
        await self._ws.start()
        await self._rest.start()
        self._gateway.url = self.gateway_url
        self._gateway.resume_url = self.resume_gateway_url
        return self

    async def stop(self) -> None:
        await self._rest.stop()
        await self._ws.stop()
        self._loop = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._rest.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._ws.port}/"

    @property
    def resume_gateway_url(self) -> str:
        """READY's resume_gateway_url: the same server on another path, so tests see that resumes use it."""
        return f"ws://127.0.0.1:{self._ws.port}/resume/"

    # ---- world configuration (thread-safe)

    @property
    def bot(self) -> Json:
        return copy.deepcopy(self.world.bot)

    def add_guild(self, data: Json) -> None:
        """Add a guild (see `guild()`); a client connected before sees it only after it reconnects or a GUILD_CREATE."""
        with self._lock:
            self.world.add_guild(data)

    def add_channel(self, channel: Json) -> Json:
        with self._lock:
            return copy.deepcopy(self.world.add_channel(channel))

    def add_member(self, guild_id: str, data: Json) -> None:
        with self._lock:
            self.world.add_member(guild_id, data)

    def open_dm(self, user_id: str) -> Json:
        """The DM channel between the bot and a known user (created on first use, like POST /users/@me/channels)."""
        with self._lock:
            return copy.deepcopy(self.world.open_dm(user_id))

    def set_app_flags(self, flags: int) -> None:
        with self._lock:
            self.world.app_flags = flags

    def fail_next(
        self,
        route: str,
        status: int = 429,
        retry_after: float = 0.5,
        global_: bool = False,
        method: str | None = None,
        times: int = 1,
    ) -> None:
        """Fail the next `times` requests to a route template (e.g. "/channels/{channel_id}/messages")."""
        with self._lock:
            self._faults.extend(Fault(route, method, status, retry_after, global_) for _ in range(times))

    # ---- gateway control (thread-safe, never blocks)

    def dispatch(self, event: str, data: Json) -> list[Dispatch]:
        """Send a gateway event to every live session (MESSAGE_CREATE, INTERACTION_CREATE, ...); returns what was sent.

        The world follows (a dispatched message can then be fetched, edited or threaded; an interaction answered)."""
        with self._lock:
            if not self._gateway.live_sessions():
                raise AssertionError("no identified gateway session: start the client and wait_ready() first")
            data = self.world.observe(event, copy.deepcopy(data))
            return self._gateway.broadcast(event, data)

    def drop_connection(self, code: int = 4000, missed: Iterable[tuple[str, Json]] = ()) -> None:
        """Close the client's socket with `code` (4000: resumable); `missed` events happen while it is away.

        The missed events are logged for the session before the close, never sent on the old socket, so a resuming
        client must get them through RESUME's replay."""
        with self._lock:
            missed = list(missed)
            if missed and not self._gateway.live_sessions():
                raise AssertionError("no identified gateway session to miss events: start the client and wait_ready() first")
            self._gateway.detach(code)
            for event, data in missed:
                self._gateway.broadcast(event, self.world.observe(event, copy.deepcopy(data)))

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client closes and resumes."""
        with self._lock:
            for session in self._gateway.live_sessions():
                if session.conn is not None:
                    session.conn.send(_frame(7, None))

    def invalidate_session(self) -> None:
        """Send op 9 INVALID_SESSION (not resumable): the client must IDENTIFY again with a new session."""
        with self._lock:
            for session in self._gateway.live_sessions():
                session.invalid = True
                if session.conn is not None:
                    session.conn.send(_frame(9, False))

    # ---- reading what happened (thread-safe)

    def calls_to(self, route: str, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.route == route and (method is None or c.method == method)]

    def messages(self, channel_id: str) -> list[Json]:
        """Every message in a channel (the latest version of each), oldest first, ephemeral ones included."""
        with self._lock:
            stored = self.world.messages.get(channel_id, {}).values()
            return copy.deepcopy(sorted(stored, key=lambda m: int(m["id"])))

    def message(self, channel_id: str, message_id: str) -> Json:
        with self._lock:
            found = self.world.messages.get(channel_id, {}).get(message_id)
            if found is None:
                raise KeyError(f"no message {message_id} in {channel_id}")
            return copy.deepcopy(found)

    def channel(self, channel_id: str) -> Json:
        with self._lock:
            return copy.deepcopy(self.world.channel(channel_id))

    def commands(self, guild_id: str | None = None) -> list[Json]:
        with self._lock:
            return copy.deepcopy(list(self.world.commands.get(guild_id, {}).values()))

    def command(self, name: str, guild_id: str | None = None) -> Json:
        found = [c for c in self.commands(guild_id) if c["name"] == name]
        if not found:
            raise KeyError(f"no synced command {name!r} for guild {guild_id}")
        return found[0]

    @property
    def interaction_responses(self) -> list[InteractionResponse]:
        with self._lock:
            return list(self.world.interaction_responses)

    @property
    def identifies(self) -> list[Identify]:
        with self._lock:
            return list(self._gateway.identifies)

    @property
    def resumes(self) -> list[Resume]:
        with self._lock:
            return list(self._gateway.resumes)

    @property
    def gateway_connections(self) -> list[GatewayConnection]:
        """Every WebSocket opened, in order, with the query the client used."""
        with self._lock:
            return list(self._gateway.opened)

    @property
    def dispatches(self) -> list[Dispatch]:
        """Every event sent (or logged for resume) to any session, in order."""
        with self._lock:
            return sorted((d for s in self._gateway.sessions.values() for d in s.log), key=lambda d: d.at)

    @property
    def filtered(self) -> list[Dispatch]:
        """Events withheld because the session did not ask for their intent."""
        with self._lock:
            return list(self._gateway.filtered)

    @property
    def heartbeats(self) -> int:
        with self._lock:
            return self._gateway.heartbeats

    @property
    def connections(self) -> int:
        with self._lock:
            return sum(not c.ws.closed for c in self._gateway.connections)

    @property
    def frame_counts(self) -> tuple[int, int]:
        """(binary, text) frames the gateway has written: binary ones are zlib-stream chunks."""
        with self._lock:
            conns = list(self._gateway.history)
        return sum(c.binary_frames for c in conns), sum(c.text_frames for c in conns)

    def describe_calls(self) -> str:
        return "\n".join(f"  {c.method} {c.path} {c.json} -> {c.status}" for c in self.calls) or "  (none)"

    # ---- waiting (blocking for other threads, *_async for any event loop)

    def wait_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        self._refuse_own_loop()
        self._poll_blocking(lambda: self.connections >= count, timeout, f"{count} gateway connection(s)")

    async def wait_connected_async(self, count: int = 1, timeout: float = 5.0) -> None:
        await self._poll_async(lambda: self.connections >= count, timeout, f"{count} gateway connection(s)")

    def wait_disconnected(self, timeout: float = 5.0) -> None:
        """Wait until no gateway socket is open (after the client closed, the server side finishes a moment later)."""
        self._refuse_own_loop()
        self._poll_blocking(lambda: self.connections == 0, timeout, "disconnect of every gateway socket")

    async def wait_disconnected_async(self, timeout: float = 5.0) -> None:
        await self._poll_async(lambda: self.connections == 0, timeout, "disconnect of every gateway socket")

    def wait_ready(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until `count` sessions have been sent READY and all their GUILD_CREATEs."""
        self._refuse_own_loop()
        self._poll_blocking(lambda: self._ready_sessions() >= count, timeout, f"{count} ready session(s)")

    async def wait_ready_async(self, count: int = 1, timeout: float = 5.0) -> None:
        await self._poll_async(lambda: self._ready_sessions() >= count, timeout, f"{count} ready session(s)")

    def _ready_sessions(self) -> int:
        with self._lock:
            return sum(s.ready for s in self._gateway.sessions.values())

    def _poll_context(self) -> str:
        return f"identifies: {self.identifies}"

    # ---- HTTP

    async def _handle_rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, uploads = await _read_body(request)
        matched = self._spec.routes.match(path)
        route, params = matched if matched else (None, {})
        req = ApiRequest(request.method, path, route or "", params, dict(request.query), body, uploads)
        with self._lock:
            if route is not None and body is not None:
                violations, tolerated = self._spec.check_request(request.method, route, body)
                self.spec_violations.extend(violations)
                self.spec_tolerated.extend(tolerated)
            status, reply, headers = self._answer(req, request.headers.get("Authorization"))
            if route is not None and 200 <= status < 300:
                self.response_violations.extend(self._spec.check_response(request.method, route, status, reply))
            files = tuple(u.filename for u in uploads)
            self._calls.append(Call(request.method, path, route, body, time.monotonic(), status, dict(request.query), files))
            events, self.world.events = self.world.events, []
            for event, data in events:
                self._gateway.broadcast(event, data)
            reply = copy.deepcopy(reply)
        return _json_response(status, reply, headers)

    def _answer(self, req: ApiRequest, auth: str | None) -> tuple[int, Any, dict[str, str]]:
        if not req.route:
            return 404, NOT_FOUND, {}
        handler = ROUTES.get((req.method, req.route))
        if handler is None:
            return (405, METHOD_NOT_ALLOWED, {}) if self._spec.operation(req.method, req.route) is None else (404, NOT_FOUND, {})
        if self._spec.bot_token_required(req.method, req.route) and auth != f"Bot {self.token}":
            return 401, UNAUTHORIZED, {}
        if fault := self._take_fault(req.method, req.route):
            return self._fault_answer(fault)
        if handler is _gateway_bot:
            return 200, self._gateway_info(req.route), {}
        try:
            status, reply = handler(self.world, req)
        except ApiError as exc:
            return exc.status, exc.body(), {}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a body Discord would refuse as malformed
            errors = {"_errors": [{"code": "FAKE_MALFORMED_BODY", "message": repr(exc)}]}
            return 400, ApiError(400, 50035, "Invalid Form Body", errors).body(), {}
        return status, reply, {}

    def _gateway_info(self, route: str) -> Json:
        if route == "/gateway":
            return {"url": self.gateway_url}
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    def _take_fault(self, method: str, route: str) -> Fault | None:
        for index, fault in enumerate(self._faults):
            if fault.route == route and fault.method in (None, method):
                return self._faults.pop(index)
        return None

    @staticmethod
    def _fault_answer(fault: Fault) -> tuple[int, Any, dict[str, str]]:
        if fault.status == 429:
            body = {"message": "You are being rate limited.", "retry_after": fault.retry_after, "global": fault.global_}
            return 429, body, _rate_limit_headers(fault.route, fault.retry_after, fault.global_)
        return fault.status, {"message": f"{fault.status}: fake failure", "code": 0}, {}

    async def _handle_attachment(self, request: web.Request) -> web.Response:
        with self._lock:
            data = self.world.uploads.get(f"http://127.0.0.1:{self._rest.port}{request.path}")
        if data is None:
            return _json_response(404, NOT_FOUND)
        return web.Response(body=data, content_type="application/octet-stream")


# --------------------------------------------------------------------------------------------- running in a thread


@contextlib.contextmanager
def running_fake_discord(**options: Any) -> Iterator[FakeDiscord]:
    """A started FakeDiscord in a background thread, stopped (servers, tasks, thread) on exit."""
    with running_in_thread(FakeDiscord(**options), LoopThread("fake-discord")) as fake:
        yield fake


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    """A fresh fake Discord per test, in its own thread, so tests can drive the bot with asyncio.run()."""
    with running_fake_discord() as fake:
        yield fake
    assert fake.leaked_tasks == 0, "the fake left tasks running"


@contextlib.contextmanager
def discord_py_pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and first gateway URL at the fake; restore both afterwards (they are class globals)."""
    import discord.gateway
    import discord.http
    import yarl

    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
