"""A local fake Slack (Web API + Socket Mode) that the real slack_sdk / slack_bolt talk to.

Nothing of ours is faked: the code under test runs unchanged against 127.0.0.1 servers that answer like
Slack (response shapes, error codes, rate limits, trigger expiry, scopes), check each call against Slack's
2020 OpenAPI spec, and record every call and Socket Mode ack so tests and benchmarks can assert on them.

Two ways to run it:
- in the caller's event loop: `async with FakeSlack() as fake: ...` (use the `*_async` waiters);
- in a background thread with its own loop: `with running_fake_slack() as fake:` or the `fake_slack`
  pytest fixture, so a test can drive the bot with `asyncio.run(...)` and still use the blocking waiters.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import inspect
import itertools
import json
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import urlencode

import pytest
from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.platforms.common import (
    FakeServer,
    IncreasingClock,
    LocalServer,
    LoopThread,
    find_spec_file,
    load_spec,
    running_in_thread,
    running_loop,
)

Params = dict[str, Any]
EnvelopeType = Literal["events_api", "interactive", "slash_commands"]

TEAM_ID = "T0001"
TEAM_DOMAIN = "fake-workspace"
APP_ID = "A1"
BOT_ID = "B0001"
BOT_USER_ID = "UBOT"
BOT_TOKEN = "xoxb-test"
APP_TOKEN = "xapp-test"
TRIGGER_TTL_S = 3.0  # Slack: "trigger_id ... expires in 3 seconds"

DEFAULT_SCOPES = frozenset(
    {
        "app_mentions:read",
        "channels:history",
        "channels:read",
        "chat:write",
        "commands",
        "groups:history",
        "groups:read",
        "im:history",
        "im:read",
        "im:write",
        "mpim:history",
        "mpim:read",
        "users:read",
        "users:read.email",
    }
)
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})

# Parameters newer than the 2020 spec that slack_sdk's typed methods send (checked against slack_sdk 3.48 signatures).
NEWER_PARAMETERS: dict[str, frozenset[str]] = {
    "chat.postMessage": frozenset({"metadata", "markdown_text", "container_id"}),
    "chat.update": frozenset({"metadata", "markdown_text", "file_ids", "reply_broadcast"}),
    "chat.postEphemeral": frozenset({"markdown_text"}),
    "conversations.history": frozenset({"include_all_metadata"}),
    "conversations.replies": frozenset({"include_all_metadata"}),
    "views.open": frozenset({"interactivity_pointer"}),
    "views.push": frozenset({"interactivity_pointer"}),
}
NEWER_ON_EVERY_METHOD = frozenset({"team_id"})  # org-wide apps name the workspace on every call


# --------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Call:
    """One Web API request as the fake received it (`at` is time.monotonic(), like every time here)."""

    method: str
    params: Params
    at: float
    token: str | None = None
    http_status: int = 200
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.http_status == 200 and self.error is None


class Ack(NamedTuple):
    """A Socket Mode acknowledgement: when it arrived and the response payload it carried, if any."""

    at: float
    payload: dict[str, Any] | None


@dataclass(frozen=True)
class Push:
    """An envelope the fake sent over Socket Mode."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    at: float


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_ext_shared: bool = False
    external_team_id: str | None = None
    members: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The scope family Slack checks for this conversation (channels:read, groups:read, im:read)."""
        return "im" if self.is_im else "groups" if self.is_private else "channels"

    def to_json(self, bot_user_id: str, with_num_members: bool = False) -> dict[str, Any]:
        shared = [TEAM_ID, self.external_team_id] if self.is_ext_shared and self.external_team_id else [TEAM_ID]
        body: dict[str, Any] = {
            "id": self.id,
            "created": 1700000000,
            "is_archived": False,
            "is_im": self.is_im,
            "is_org_shared": False,
            "is_ext_shared": self.is_ext_shared,
            "is_shared": self.is_ext_shared,
            "context_team_id": TEAM_ID,
            "shared_team_ids": shared,
            "is_member": bot_user_id in self.members,
        }
        if self.is_im:  # real IM objects carry the other user and no name
            body["user"] = next((m for m in self.members if m != bot_user_id), "")
            body["is_user_deleted"] = False
        else:
            body |= {
                "name": self.name,
                "name_normalized": self.name,
                "is_channel": not self.is_private,
                "is_group": self.is_private,
                "is_mpim": False,
                "is_private": self.is_private,
                "is_general": False,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            }
        if with_num_members:
            body["num_members"] = len(self.members)
        return body


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str | None = None
    is_bot: bool = False
    team_id: str = TEAM_ID
    real_name: str = ""
    bot_id: str | None = None

    def to_json(self, with_email: bool) -> dict[str, Any]:
        real_name = self.real_name or self.name.title()
        profile: dict[str, Any] = {
            "display_name": self.name,
            "display_name_normalized": self.name,
            "real_name": real_name,
            "real_name_normalized": real_name,
            "team": self.team_id,
        }
        if with_email and self.email:  # Slack hides email without users:read.email
            profile["email"] = self.email
        if self.bot_id:
            profile["bot_id"] = self.bot_id
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": False,
            "real_name": real_name,
            "tz": "Europe/London",
            "tz_offset": 0,
            "is_admin": False,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "is_restricted": False,
            "updated": 1700000000,
            "profile": profile,
        }


@dataclass(frozen=True)
class Bot:
    id: str
    name: str
    user_id: str | None = None
    app_id: str = APP_ID

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "deleted": False,
            "name": self.name,
            "updated": 1700000000,
            "app_id": self.app_id,
            "user_id": self.user_id,
            "icons": {"image_36": "https://a.slack-edge.com/36.png", "image_48": "https://a.slack-edge.com/48.png"},
        }


@dataclass(frozen=True)
class Message:
    """The latest version of a message in a channel; `edits` counts chat.update calls on it."""

    channel: str
    ts: str
    text: str = ""
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    blocks: list[Any] | None = None
    attachments: list[Any] | None = None
    metadata: dict[str, Any] | None = None
    edits: int = 0

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text, "team": TEAM_ID}
        optional = {
            "user": self.user,
            "bot_id": self.bot_id,
            "app_id": APP_ID if self.bot_id else None,
            "thread_ts": self.thread_ts,
            "blocks": self.blocks,
            "attachments": self.attachments,
            "metadata": self.metadata,
        }
        body |= {k: v for k, v in optional.items() if v is not None}
        if self.edits:
            body["edited"] = {"user": self.user, "ts": self.ts}
        return body


@dataclass(frozen=True)
class Ephemeral:
    channel: str
    user: str
    message_ts: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None


@dataclass(frozen=True)
class View:
    id: str
    user: str | None
    definition: dict[str, Any]
    hash: str

    def to_json(self) -> dict[str, Any]:
        d = self.definition
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "type": d.get("type", "modal"),
            "title": d.get("title"),
            "submit": d.get("submit"),
            "close": d.get("close"),
            "blocks": d.get("blocks", []),
            "private_metadata": d.get("private_metadata", ""),
            "callback_id": d.get("callback_id", ""),
            "external_id": d.get("external_id", ""),
            "state": {"values": {}},
            "hash": self.hash,
            "clear_on_close": bool(d.get("clear_on_close", False)),
            "notify_on_close": bool(d.get("notify_on_close", False)),
            "root_view_id": self.id,
            "previous_view_id": None,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }


@dataclass(frozen=True)
class Fault:
    status: int
    retry_after: int
    error: str | None


class SlackError(Exception):
    """An `{"ok": false, "error": ...}` answer, with Slack's extra fields (e.g. needed/provided for scopes)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


# --------------------------------------------------------------------------------------------- ids and clocks


class TsClock(IncreasingClock):
    """Message timestamps like Slack's ("1732900000.000100"): wall-clock microseconds, unique and increasing."""

    def next(self) -> str:
        micros = self.tick(int(time.time() * 1_000_000))
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


_TS = TsClock()
_EVENT_IDS = itertools.count(1)


def new_ts() -> str:
    return _TS.next()


def new_event_id() -> str:
    return f"Ev{next(_EVENT_IDS):04d}{secrets.token_hex(3).upper()}"


def new_trigger_token() -> str:
    return f"{int(time.time())}{secrets.randbelow(10**6):06d}.{TEAM_ID[1:]}.{secrets.token_hex(16)}"


# --------------------------------------------------------------------------------------------- spec check


def find_spec() -> Path:
    """The 2020 Slack Web API OpenAPI file: $SLACK_OPENAPI_SPEC, else shared/specs next to or above the repo."""
    return find_spec_file("SLACK_OPENAPI_SPEC", "slack_web_openapi_v2.json", "Slack")


class SpecChecker:
    """Checks a call's parameter names against the spec: required ones present, none it does not list.

    Methods newer than the spec are checked against slack_sdk's AsyncWebClient instead (the method must
    exist there, and every parameter must be one its typed signature names)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._paths: dict[str, Any] = spec["paths"]

    def check(self, method: str, params: Params) -> list[str]:
        operation = self._operation(method)
        if operation is None:
            return self._check_against_sdk(method, params)
        declared = {p["name"]: p for p in operation.get("parameters", [])}
        missing = [name for name, p in declared.items() if p.get("required") and name != "token" and name not in params]
        allowed = declared.keys() | NEWER_PARAMETERS.get(method, frozenset()) | NEWER_ON_EVERY_METHOD
        unknown = [name for name in params if name not in allowed]
        return [f"{method}: missing required parameter '{n}'" for n in missing] + [
            f"{method}: parameter '{n}' is not in the spec" for n in unknown
        ]

    def _operation(self, method: str) -> dict[str, Any] | None:
        path = self._paths.get(f"/{method}")
        if path is None:
            return None
        return dict(path.get("post") or path.get("get") or {})

    @staticmethod
    def _check_against_sdk(method: str, params: Params) -> list[str]:
        function = getattr(AsyncWebClient, method.replace(".", "_"), None)
        if function is None:
            return [f"{method}: not in the spec and not a slack_sdk AsyncWebClient method"]
        named = set(inspect.signature(function).parameters) - {"self", "kwargs"}
        return [
            f"{method}: parameter '{n}' is not named by slack_sdk's {function.__name__}"
            for n in params
            if n not in named | NEWER_ON_EVERY_METHOD
        ]


# --------------------------------------------------------------------------------------------- workspace


def _json_field(value: Any, error: str) -> Any:
    """Slack takes blocks/attachments/view as JSON values or, form-encoded, as JSON strings."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise SlackError(error) from exc


def _text_of(p: Params) -> str:
    return str(p.get("text") or p.get("markdown_text") or "")


def _check_blocks(blocks: Any) -> list[Any] | None:
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > 50 or any(not isinstance(b, dict) or "type" not in b for b in blocks):
        raise SlackError("invalid_blocks")
    return blocks


def _page(items: list[str], p: Params) -> tuple[list[str], str]:
    """Cursor pagination like Slack's: an opaque cursor, and an empty next_cursor on the last page."""
    start = int(base64.b64decode(p["cursor"]).decode().split(":")[1]) if p.get("cursor") else 0
    limit = int(p.get("limit") or 100)
    end = start + limit
    cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], cursor


class Workspace:
    """The workspace's state and the Web API methods that read or change it (no I/O; FakeSlack locks it)."""

    def __init__(self, bot_user_id: str, granted_scopes: set[str]) -> None:
        self.bot_user_id = bot_user_id
        self.granted_scopes = granted_scopes
        self.channels: dict[str, Channel] = {}
        self.users: dict[str, User] = {bot_user_id: User(bot_user_id, "supportbot", is_bot=True, bot_id=BOT_ID)}
        self.bots: dict[str, Bot] = {BOT_ID: Bot(BOT_ID, "supportbot", user_id=bot_user_id)}
        self.messages: dict[str, dict[str, Message]] = {}
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, View] = {}
        self.triggers: dict[str, float] = {}
        self.trigger_ttl = TRIGGER_TTL_S

    # ---- state helpers

    def channel(self, channel_id: Any) -> Channel:
        """A conversation by id or by name ("#support"); a user id means the DM with that user, as in Slack."""
        if not isinstance(channel_id, str):
            raise SlackError("channel_not_found")
        if channel_id in self.channels:
            return self.channels[channel_id]
        named = next((c for c in self.channels.values() if not c.is_im and c.name == channel_id.removeprefix("#")), None)
        if named is not None:
            return named
        if channel_id in self.users:
            dm = Channel(f"D{channel_id}", "", is_im=True, members=(channel_id, self.bot_user_id))
            return self.channels.setdefault(dm.id, dm)
        raise SlackError("channel_not_found")

    def need(self, scope: str) -> None:
        if scope not in self.granted_scopes:
            raise SlackError("missing_scope", needed=scope, provided=",".join(sorted(self.granted_scopes)))

    def store(self, message: Message) -> Message:
        self.messages.setdefault(message.channel, {})[message.ts] = message
        return message

    def find_message(self, channel: str, ts: Any) -> Message:
        message = self.messages.get(channel, {}).get(str(ts))
        if message is None:
            raise SlackError("message_not_found")
        return message

    # ---- chat.*

    def chat_post_message(self, p: Params) -> dict[str, Any]:
        self.need("chat:write")
        channel = self.channel(p.get("channel"))
        if self.bot_user_id not in channel.members and not (
            not channel.is_private and "chat:write.public" in self.granted_scopes
        ):
            raise SlackError("not_in_channel")
        blocks = _check_blocks(_json_field(p.get("blocks"), "invalid_blocks_format"))
        attachments = _json_field(p.get("attachments"), "invalid_attachments")
        if not (_text_of(p) or blocks or attachments):
            raise SlackError("no_text")
        if len(_text_of(p)) > 40_000:
            raise SlackError("msg_too_long")
        message = self.store(
            Message(
                channel=channel.id,
                ts=new_ts(),
                text=_text_of(p),
                user=self.bot_user_id,
                bot_id=BOT_ID,
                thread_ts=str(p["thread_ts"]) if p.get("thread_ts") else None,
                blocks=blocks,
                attachments=attachments,
                metadata=_json_field(p.get("metadata"), "invalid_metadata_format"),
            )
        )
        return {"channel": channel.id, "ts": message.ts, "message": message.to_json()}

    def chat_update(self, p: Params) -> dict[str, Any]:
        self.need("chat:write")
        channel = self.channel(p.get("channel"))
        old = self.find_message(channel.id, p.get("ts"))
        if old.user != self.bot_user_id:
            raise SlackError("cant_update_message")
        blocks = _check_blocks(_json_field(p.get("blocks"), "invalid_blocks_format"))
        attachments = _json_field(p.get("attachments"), "invalid_attachments")
        new = self.store(
            replace(
                old,
                text=_text_of(p) if "text" in p or "markdown_text" in p else old.text,
                blocks=blocks if "blocks" in p else old.blocks,
                attachments=attachments if "attachments" in p else old.attachments,
                edits=old.edits + 1,
            )
        )
        return {"channel": channel.id, "ts": new.ts, "text": new.text, "message": new.to_json()}

    def chat_post_ephemeral(self, p: Params) -> dict[str, Any]:
        self.need("chat:write")
        channel = self.channel(p.get("channel"))
        user = str(p.get("user", ""))
        if user not in self.users:
            raise SlackError("user_not_found")
        if user not in channel.members:
            raise SlackError("user_not_in_channel")
        blocks = _check_blocks(_json_field(p.get("blocks"), "invalid_blocks_format"))
        if not (_text_of(p) or blocks or p.get("attachments")):
            raise SlackError("no_text")
        ts = new_ts()
        self.ephemerals.append(Ephemeral(channel.id, user, ts, _text_of(p), blocks, p.get("thread_ts")))
        return {"message_ts": ts}

    def chat_get_permalink(self, p: Params) -> dict[str, Any]:
        channel = self.channel(p.get("channel"))
        message = self.find_message(channel.id, p.get("message_ts"))
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
        if message.thread_ts and message.thread_ts != message.ts:
            link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    # ---- conversations.*

    def conversations_info(self, p: Params) -> dict[str, Any]:
        channel = self.channel(p.get("channel"))
        self.need(f"{channel.kind}:read")
        with_num = str(p.get("include_num_members", "")).lower() in {"1", "true"}
        return {"channel": channel.to_json(self.bot_user_id, with_num_members=with_num)}

    def conversations_members(self, p: Params) -> dict[str, Any]:
        channel = self.channel(p.get("channel"))
        self.need(f"{channel.kind}:read")
        members, cursor = _page(list(channel.members), p)
        return {"members": members, "response_metadata": {"next_cursor": cursor}}

    def conversations_replies(self, p: Params) -> dict[str, Any]:
        channel = self.channel(p.get("channel"))
        self.need(f"{channel.kind}:history")
        in_channel = self.messages.get(channel.id, {})
        start = in_channel.get(str(p.get("ts")))
        if start is None:
            raise SlackError("thread_not_found")
        root_ts = start.thread_ts or start.ts
        replies = sorted((m for m in in_channel.values() if m.thread_ts == root_ts and m.ts != root_ts), key=lambda m: m.ts)
        root = in_channel.get(root_ts)
        thread = [root, *replies] if root else replies
        page_ts, cursor = _page([m.ts for m in thread], p)
        bodies = [in_channel[ts].to_json() for ts in page_ts]
        if root and bodies and bodies[0]["ts"] == root_ts:
            bodies[0] |= {
                "thread_ts": root_ts,
                "reply_count": len(replies),
                "latest_reply": replies[-1].ts if replies else root_ts,
            }
        return {"messages": bodies, "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}

    # ---- users / bots

    def users_info(self, p: Params) -> dict[str, Any]:
        self.need("users:read")
        user = self.users.get(str(p.get("user")))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user.to_json(with_email="users:read.email" in self.granted_scopes)}

    def bots_info(self, p: Params) -> dict[str, Any]:
        self.need("users:read")
        bot = self.bots.get(str(p.get("bot")))
        if bot is None:
            raise SlackError("bot_not_found")
        return {"bot": bot.to_json()}

    # ---- views

    def new_trigger(self, age: float) -> str:
        trigger_id = new_trigger_token()
        self.triggers[trigger_id] = time.monotonic() - age
        return trigger_id

    def views_open(self, p: Params) -> dict[str, Any]:
        issued = self.triggers.get(str(p.get("trigger_id")))
        if issued is None:
            raise SlackError("invalid_trigger_id")
        if time.monotonic() - issued > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        definition = _json_field(p.get("view"), "invalid_arguments")
        if not isinstance(definition, dict) or definition.get("type") not in {"modal", "home"}:
            raise SlackError("invalid_arguments")
        view = View(id=f"V{secrets.token_hex(5).upper()}", user=None, definition=definition, hash=secrets.token_hex(8))
        self.views[view.id] = view
        return {"view": view.to_json()}

    def views_update(self, p: Params) -> dict[str, Any]:
        view = self.views.get(str(p.get("view_id")))
        if view is None and p.get("external_id"):
            view = next((v for v in self.views.values() if v.definition.get("external_id") == p["external_id"]), None)
        if view is None:
            raise SlackError("not_found")
        if p.get("hash") and p["hash"] != view.hash:
            raise SlackError("hash_conflict")
        definition = _json_field(p.get("view"), "invalid_arguments")
        if not isinstance(definition, dict):
            raise SlackError("invalid_arguments")
        updated = replace(view, definition=definition, hash=secrets.token_hex(8))
        self.views[view.id] = updated
        return {"view": updated.to_json()}


Handler = Callable[[Workspace, Params], dict[str, Any]]
HANDLERS: dict[str, Handler] = {
    "chat.postMessage": Workspace.chat_post_message,
    "chat.update": Workspace.chat_update,
    "chat.postEphemeral": Workspace.chat_post_ephemeral,
    "chat.getPermalink": Workspace.chat_get_permalink,
    "conversations.info": Workspace.conversations_info,
    "conversations.members": Workspace.conversations_members,
    "conversations.replies": Workspace.conversations_replies,
    "users.info": Workspace.users_info,
    "bots.info": Workspace.bots_info,
    "views.open": Workspace.views_open,
    "views.update": Workspace.views_update,
}


# --------------------------------------------------------------------------------------------- servers


class SocketModeServer:
    """Serves the Socket Mode WebSocket: hello on connect, envelopes out (round-robin, like Slack), acks in."""

    def __init__(self, lock: threading.RLock, app_id: str) -> None:
        self._lock = lock
        self._app_id = app_id
        self._sockets: list[web.WebSocketResponse] = []
        self._next = itertools.count()
        self._closers: set[asyncio.Task[None]] = set()
        self.tickets: set[str] = set()
        self.pushes: list[Push] = []
        self.ack_log: list[tuple[str, Ack]] = []
        app = web.Application()
        app.router.add_get("/link", self._handle)
        app.on_shutdown.append(self._close_all)
        self._server = LocalServer(app)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def connections(self) -> int:
        with self._lock:
            return sum(not ws.closed for ws in self._sockets)

    def issue_url(self) -> str:
        ticket = secrets.token_hex(8)
        with self._lock:
            self.tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link?ticket={ticket}&app_id={self._app_id}"

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            if request.query.get("ticket") not in self.tickets:
                raise web.HTTPUnauthorized(text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        with self._lock:
            self._sockets.append(ws)
            count = self.connections
        hello = {
            "type": "hello",
            "num_connections": count,
            "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self._app_id},
        }
        await ws.send_json(hello)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._record_ack(msg.data)
        finally:
            with self._lock:
                self._sockets.remove(ws)
        return ws

    def _record_ack(self, data: str) -> None:
        try:
            body = json.loads(data)
        except json.JSONDecodeError:
            return
        if isinstance(body, dict) and "envelope_id" in body:
            with self._lock:
                self.ack_log.append((str(body["envelope_id"]), Ack(time.monotonic(), body.get("payload"))))

    def require_connection(self) -> web.WebSocketResponse:
        with self._lock:
            open_sockets = [ws for ws in self._sockets if not ws.closed]
            if not open_sockets:
                raise AssertionError("no Socket Mode client is connected to the fake")
            return open_sockets[next(self._next) % len(open_sockets)]

    async def send(self, envelope: dict[str, Any]) -> None:
        ws = self.require_connection()
        with self._lock:
            self.pushes.append(Push(envelope["envelope_id"], envelope["type"], envelope["payload"], time.monotonic()))
        await ws.send_json(envelope)

    async def disconnect_all(self, reason: str, grace: float) -> None:
        """Slack's `disconnect` message (e.g. refresh_requested), and the close `grace` seconds later, as Slack does."""
        with self._lock:
            sockets = [ws for ws in self._sockets if not ws.closed]
        for ws in sockets:
            await ws.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})
        closer = asyncio.create_task(self._close_later(sockets, grace))
        self._closers.add(closer)
        closer.add_done_callback(self._closers.discard)

    @staticmethod
    async def _close_later(sockets: list[web.WebSocketResponse], grace: float) -> None:
        await asyncio.sleep(grace)
        for ws in sockets:
            await ws.close()

    async def _close_all(self, _app: web.Application) -> None:
        for closer in list(self._closers):
            closer.cancel()
        await asyncio.gather(*self._closers, return_exceptions=True)
        with self._lock:
            sockets = list(self._sockets)
        for ws in sockets:
            await ws.close(code=1001, message=b"server shutdown")


# --------------------------------------------------------------------------------------------- the fake


class FakeSlack(FakeServer[Call]):
    """Slack for the real slack_sdk: a Web API at `base_url` and Socket Mode behind `apps.connections.open`."""

    def __init__(
        self,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        bot_user_id: str = BOT_USER_ID,
        granted_scopes: set[str] | None = None,
        spec_path: Path | None = None,
        app_id: str = APP_ID,
    ) -> None:
        self._lock = threading.RLock()
        self.valid_tokens: set[str] = {bot_token, app_token}
        self.bot_user_id = bot_user_id
        self.workspace = Workspace(bot_user_id, set(DEFAULT_SCOPES if granted_scopes is None else granted_scopes))
        self._spec = SpecChecker(load_spec(spec_path or find_spec()))
        self.spec_violations: list[str] = []
        self._calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._custom: dict[str, Callable[[Params], dict[str, Any]]] = {}
        self._socket = SocketModeServer(self._lock, app_id)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._background: set[asyncio.Task[None]] = set()
        self.leaked_tasks = 0  # set by running_fake_slack: tasks its loop still had at close
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/respond/{id}", self._handle_response_url)
        self._web = LocalServer(app)

    # ---- lifecycle

    async def start(self) -> FakeSlack:
        self._loop = asyncio.get_running_loop()
        await self._socket.start()
        await self._web.start()
        return self

    async def stop(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self._web.stop()
        await self._socket.stop()
        self._loop = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._web.port}/api/"

    @property
    def socket_mode_port(self) -> int:
        return self._socket.port

    # ---- workspace configuration (thread-safe)

    @property
    def granted_scopes(self) -> set[str]:
        """The live set of scopes the bot token has: edit it before driving the bot (set_granted_scopes while it runs)."""
        return self.workspace.granted_scopes

    def set_granted_scopes(self, scopes: set[str]) -> None:
        with self._lock:
            self.workspace.granted_scopes.clear()
            self.workspace.granted_scopes.update(scopes)

    def add_channel(
        self,
        id: str,
        name: str,
        is_private: bool = False,
        members: list[str] | None = None,
        is_ext_shared: bool = False,
        external_team_id: str | None = None,
        is_im: bool = False,
        bot_is_member: bool = True,
    ) -> Channel:
        """Add a conversation; the bot is a member unless `bot_is_member=False` (then posts answer not_in_channel)."""
        people = list(members or [])
        if bot_is_member and self.bot_user_id not in people:
            people.append(self.bot_user_id)
        channel = Channel(id, name, is_private, is_im, is_ext_shared, external_team_id, tuple(people))
        with self._lock:
            self.workspace.channels[id] = channel
        return channel

    def add_user(
        self, id: str, name: str, email: str | None = None, is_bot: bool = False, team_id: str = TEAM_ID, real_name: str = ""
    ) -> User:
        user = User(id, name, email, is_bot, team_id, real_name)
        with self._lock:
            self.workspace.users[id] = user
        return user

    def add_bot(self, id: str, name: str, user_id: str | None = None, app_id: str = "A_OTHER") -> Bot:
        bot = Bot(id, name, user_id, app_id)
        with self._lock:
            self.workspace.bots[id] = bot
        return bot

    def add_message(self, channel: str, user: str, text: str, ts: str | None = None, thread_ts: str | None = None) -> Message:
        """Seed a message someone else wrote (e.g. the parent of a thread the bot will read)."""
        with self._lock:
            return self.workspace.store(Message(channel, ts or new_ts(), text, user=user, thread_ts=thread_ts))

    def new_trigger_id(self, age: float = 0.0) -> str:
        """A trigger id as Slack would put in an interaction; `age` back-dates it to test expiry without sleeping."""
        with self._lock:
            return self.workspace.new_trigger(age)

    def new_response_url(self) -> str:
        """A response_url served by this fake; posts to it are recorded as calls to method "response_url"."""
        return f"http://127.0.0.1:{self._web.port}/respond/{uuid.uuid4().hex}"

    def set_handler(self, method: str, handler: Callable[[Params], dict[str, Any]]) -> None:
        """Answer a method the fake does not implement (handler returns the body without "ok"; raise SlackError)."""
        with self._lock:
            self._custom[method] = handler

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, error: str | None = None, times: int = 1) -> None:
        """Make the next `times` calls to `method` fail: HTTP `status` (+Retry-After on 429), or 200 with `error`."""
        with self._lock:
            self._faults.setdefault(method, deque()).extend(Fault(status, retry_after, error) for _ in range(times))

    # ---- reading what happened (thread-safe)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def message(self, channel: str, ts: str) -> Message:
        """The latest version of a message (after any chat.update); KeyError if it was never posted."""
        with self._lock:
            found = self.workspace.messages.get(channel, {}).get(ts)
        if found is None:
            raise KeyError(f"no message {ts} in {channel}")
        return found

    def messages(self, channel: str) -> list[Message]:
        with self._lock:
            return sorted(self.workspace.messages.get(channel, {}).values(), key=lambda m: m.ts)

    @property
    def ephemerals(self) -> list[Ephemeral]:
        with self._lock:
            return list(self.workspace.ephemerals)

    @property
    def acks(self) -> dict[str, Ack]:
        """envelope_id → its latest ack."""
        with self._lock:
            return dict(self._socket.ack_log)

    @property
    def ack_log(self) -> list[tuple[str, Ack]]:
        """Every ack in arrival order (a re-delivered envelope acked twice appears twice)."""
        with self._lock:
            return list(self._socket.ack_log)

    @property
    def pushes(self) -> list[Push]:
        with self._lock:
            return list(self._socket.pushes)

    def ack_latency(self, envelope_id: str) -> float:
        """Seconds from the latest push of the envelope to the first ack after it."""
        with self._lock:
            pushed = max(p.at for p in self._socket.pushes if p.envelope_id == envelope_id)
            acked = min(a.at for e, a in self._socket.ack_log if e == envelope_id and a.at >= pushed)
        return acked - pushed

    @property
    def connections(self) -> int:
        return self._socket.connections

    # ---- waiting (blocking for other threads, *_async for any event loop)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0, count: int = 1) -> Ack:
        """Wait until the envelope has been acked `count` times (count=2 after a re-delivery); return the last ack."""
        self._refuse_own_loop()
        return self._poll_blocking(lambda: self._nth_ack(envelope_id, count), timeout, f"ack #{count} of {envelope_id}")

    async def wait_for_ack_async(self, envelope_id: str, timeout: float = 5.0, count: int = 1) -> Ack:
        return await self._poll_async(lambda: self._nth_ack(envelope_id, count), timeout, f"ack #{count} of {envelope_id}")

    def wait_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        self._refuse_own_loop()
        self._poll_blocking(lambda: self.connections >= count or None, timeout, f"{count} Socket Mode connection(s)")

    async def wait_connected_async(self, count: int = 1, timeout: float = 5.0) -> None:
        await self._poll_async(lambda: self.connections >= count or None, timeout, f"{count} Socket Mode connection(s)")

    def describe_calls(self) -> str:
        return "\n".join(f"  {c.method} {c.params} -> {c.http_status} {c.error or 'ok'}" for c in self.calls) or "  (none)"

    # ---- Socket Mode

    def push_envelope(
        self,
        type: EnvelopeType,
        payload: dict[str, Any],
        envelope_id: str | None = None,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send an envelope to a connected client from any thread; pass the same id again to re-deliver it."""
        envelope = {
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        self._socket.require_connection()  # fail now, in the caller, if nobody is connected
        self._on_fake_loop(self._socket.send(envelope))
        return str(envelope["envelope_id"])

    def disconnect_clients(self, reason: str = "refresh_requested", grace: float = 10.0) -> None:
        """Tell every connected client to reconnect, as Slack does every few hours (it closes `grace` s later)."""
        self._on_fake_loop(self._socket.disconnect_all(reason, grace))

    # ---- HTTP handlers

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, token = await _read_params(request)
        with self._lock:
            self.spec_violations.extend(self._spec.check(method, params))
            status, body, headers = self._answer(method, params, token)
            self._calls.append(
                Call(method, params, time.monotonic(), token, status, None if body.get("ok") else body.get("error"))
            )
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, method: str, params: Params, token: str | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            if fault.error is not None:
                return 200, {"ok": False, "error": fault.error}, {}
            retry = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return fault.status, {"ok": False, "error": "ratelimited" if fault.status == 429 else "internal_error"}, retry
        headers = {"x-oauth-scopes": ",".join(sorted(self.granted_scopes))}
        try:
            return 200, {"ok": True, **self._dispatch(method, params, token)}, headers
        except SlackError as exc:
            return 200, {"ok": False, "error": exc.error, **exc.extra}, headers

    def _dispatch(self, method: str, params: Params, token: str | None) -> dict[str, Any]:
        known = method in HANDLERS or method in self._custom or method in APP_LEVEL_METHODS or method == "auth.test"
        if not known:
            raise SlackError("unknown_method")
        if not token:
            raise SlackError("not_authed")
        if token not in self.valid_tokens:
            raise SlackError("invalid_auth")
        if token.startswith("xapp-") != (method in APP_LEVEL_METHODS):
            raise SlackError("not_allowed_token_type")
        if method in self._custom:
            return self._custom[method](params)
        if method == "apps.connections.open":
            return {"url": self._socket.issue_url()}
        if method == "auth.test":
            return self._auth_test()
        return HANDLERS[method](self.workspace, params)

    def _auth_test(self) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Fake Workspace",
            "user": self.workspace.users[self.bot_user_id].name,
            "team_id": TEAM_ID,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        body = await request.json() if request.content_type == "application/json" else dict(await request.post())
        with self._lock:
            self._calls.append(Call("response_url", {"url_id": request.match_info["id"], **body}, time.monotonic()))
        return web.json_response({"ok": True})

    # ---- helpers

    def _on_fake_loop(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a coroutine on the fake's loop: to completion from another thread, as a task from inside the loop."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("FakeSlack is not running")
        if running_loop() is self._loop:
            task = self._loop.create_task(coro)
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        else:
            asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=5)

    def _nth_ack(self, envelope_id: str, count: int) -> Ack | None:
        with self._lock:
            acks = [a for e, a in self._socket.ack_log if e == envelope_id]
        return acks[count - 1] if len(acks) >= count else None

    def _poll_context(self) -> str:
        return f"pushes: {self.pushes}; acks: {self.ack_log}"


async def _read_params(request: web.Request) -> tuple[Params, str | None]:
    """Merge query, JSON and form parameters; the token comes from `Authorization: Bearer` or a `token` field."""
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params |= body if isinstance(body, dict) else {}
    elif request.can_read_body:
        params |= {k: v if isinstance(v, str) else getattr(v, "filename", "") for k, v in (await request.post()).items()}
    token = params.pop("token", None)
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        token = auth.removeprefix("Bearer ").strip() or token
    return params, token


# --------------------------------------------------------------------------------------------- running in a thread


@contextlib.contextmanager
def running_fake_slack(**options: Any) -> Iterator[FakeSlack]:
    """A started FakeSlack in a background thread, stopped (servers, tasks, thread) on exit."""
    with running_in_thread(FakeSlack(**options), LoopThread("fake-slack", cancel_rounds=1)) as fake:
        yield fake


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A fresh fake Slack per test, in its own thread, so tests can drive the bot with asyncio.run()."""
    with running_fake_slack() as fake:
        yield fake
    assert fake.leaked_tasks == 0, "the fake left tasks running"


# --------------------------------------------------------------------------------------------- payload builders


def _authorizations(team: str, bot_user_id: str) -> list[dict[str, Any]]:
    return [{"enterprise_id": None, "team_id": team, "user_id": bot_user_id, "is_bot": True, "is_enterprise_install": False}]


def event_callback(
    event: dict[str, Any], team: str = TEAM_ID, event_id: str | None = None, is_ext_shared: bool = False
) -> dict[str, Any]:
    """The Events API envelope around an event (what Socket Mode's events_api payload and HTTP bodies carry)."""
    return {
        "token": "fake-verification-token",
        "team_id": team,
        "context_team_id": team,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(float(event.get("event_ts", time.time()))),
        "authorizations": _authorizations(team, BOT_USER_ID),
        "is_ext_shared_channel": is_ext_shared,
        "event_context": f"4-{base64.b64encode(secrets.token_bytes(12)).decode()}",
    }


def _rich_text(text: str) -> list[dict[str, Any]]:
    block_id = hashlib.sha1(text.encode()).hexdigest()[:5]
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "block_id": block_id, "elements": [section]}]


def message_event(
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: Literal["im", "channel", "group", "mpim"] = "im",
    team: str = TEAM_ID,
    user_team: str | None = None,
    files: list[dict[str, Any]] | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A `message` event_callback; `user_team` other than `team` makes it a Slack Connect (external) message."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        "team": user_team or team,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": _rich_text(text),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    if files:
        event |= {"files": files, "upload": False, "subtype": subtype or "file_share"}
    elif subtype:
        event["subtype"] = subtype
    if bot_id:
        event |= {"bot_id": bot_id, "app_id": "A_OTHER" if bot_id != BOT_ID else APP_ID}
        event.pop("client_msg_id")
    if user_team and user_team != team:
        event |= {"user_team": user_team, "source_team": user_team}
    return event_callback(event, team, event_id, is_ext_shared=bool(user_team and user_team != team))


def app_mention_event(
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
    user_team: str | None = None,
    event_id: str | None = None,
    bot_user_id: str = BOT_USER_ID,
) -> dict[str, Any]:
    """An `app_mention` event_callback; the mention `<@bot>` is prepended when the text lacks it, as in Slack."""
    ts = ts or new_ts()
    mention = f"<@{bot_user_id}>"
    text = text if mention in text else f"{mention} {text}"
    event: dict[str, Any] = {
        "type": "app_mention",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": user_team or team,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": _rich_text(text),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    if user_team and user_team != team:
        event |= {"user_team": user_team, "source_team": user_team}
    return event_callback(event, team, event_id, is_ext_shared=bool(user_team and user_team != team))


def _interaction_user(user: str, team: str) -> dict[str, Any]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team}


def block_action(
    user: str,
    channel: str,
    message_ts: str,
    action_id: str,
    value: str,
    trigger_id: str,
    message: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    block_id: str = "actions",
    team: str = TEAM_ID,
    response_url: str = "https://hooks.slack.com/actions/T0001/1/fake",
) -> dict[str, Any]:
    """A `block_actions` interaction for a button press on a message (pass `fake.message(...).to_json()` as message)."""
    return {
        "type": "block_actions",
        "user": _interaction_user(user, team),
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "container": container or {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": trigger_id,
        "team": {"id": team, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": channel.lower()},
        "message": message or {"type": "message", "ts": message_ts, "text": "", "user": BOT_USER_ID, "bot_id": BOT_ID},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": value, "emoji": True},
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(
    user: str,
    callback_id: str,
    values: dict[str, dict[str, Any]],
    private_metadata: str = "",
    view_id: str | None = None,
    team: str = TEAM_ID,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A `view_submission`; `values` is block_id → action_id → state (a bare string means a plain_text_input)."""
    state = {
        block: {action: {"type": "plain_text_input", "value": v} if isinstance(v, str) else v for action, v in actions.items()}
        for block, actions in values.items()
    }
    view_id = view_id or f"V{secrets.token_hex(5).upper()}"
    view = View(
        view_id, user, {"type": "modal", "callback_id": callback_id, "private_metadata": private_metadata}, secrets.token_hex(8)
    )
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": TEAM_DOMAIN},
        "user": _interaction_user(user, team),
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "trigger_id": trigger_id or new_trigger_token(),
        "view": view.to_json() | {"state": {"values": state}},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def slash_command(
    user: str,
    command: str,
    text: str,
    channel: str,
    trigger_id: str,
    team: str = TEAM_ID,
    response_url: str = "https://hooks.slack.com/commands/T0001/1/fake",
) -> dict[str, str]:
    """The form fields Slack sends for a slash command (all strings; `form_body` encodes them for HTTP mode)."""
    return {
        "token": "fake-verification-token",
        "team_id": team,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else channel.lower(),
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def form_body(fields: dict[str, str]) -> str:
    return urlencode(fields)


def interactive_body(payload: dict[str, Any]) -> str:
    """How HTTP mode carries an interaction: a form with one `payload` field holding JSON."""
    return urlencode({"payload": json.dumps(payload)})


def signed_request(secret: str, body: str, timestamp: int | None = None, content_type: str | None = None) -> dict[str, str]:
    """Headers for an HTTP-mode request signed like Slack's (pass an old timestamp to test replay rejection)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or "",
    }
    if content_type:
        headers["Content-Type"] = content_type
    return headers
