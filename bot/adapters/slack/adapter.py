"""The Slack adapter: the real `slack_bolt` async app, over Socket Mode (default) or HTTP.

Every listener acknowledges first (Slack wants an answer within 3 seconds) and then hands the core
event to the sink; bolt runs listeners after the ack. Buttons that open a modal (reply to the
customer, edit a draft) are handled here, because modals are a Slack thing; everything else is the
core's. The Web API base URL is a setting (`SLACK_API_URL`), which is how GovSlack, a proxy or the
tests' fake Slack plug in.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler, AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks, inbound, modals
from bot.adapters.slack.outbound import RESPOND, SlackSender
from bot.adapters.slack.settings import SlackSettings
from bot.core.adapter import EventSink
from bot.core.events import ButtonPress, InboundEvent, OutboundEvent
from bot.core.ids import parse_id

log = logging.getLogger("supportbot.slack")
USER_CACHE = 10_000
USER_TTL = 3600.0
REPLY_ACTION = "slack.reply"
EDIT_ACTION = "draft.edit"


def web_client(settings: SlackSettings) -> AsyncWebClient:
    """A Web API client that waits out 429s (`Retry-After`) and retries dropped connections."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    handlers: list[AsyncRetryHandler] = [AsyncRateLimitErrorRetryHandler(max_retry_count=3), AsyncConnectionErrorRetryHandler()]
    return AsyncWebClient(token=token, base_url=settings.api_url, retry_handlers=handlers)


class SlackAdapter:
    name = "slack"

    def __init__(self, settings: SlackSettings, http: bool = False, port: int | None = None, host: str = "0.0.0.0") -> None:
        self.settings = settings
        self.http = http
        self.port = port if port is not None else settings.port
        self.host = host
        self.client = web_client(settings)
        secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
        self.app = AsyncApp(
            client=self.client,
            signing_secret=secret or "unused-in-socket-mode",
            request_verification_enabled=http,
            logger=logging.getLogger("supportbot.slack.bolt"),
        )
        self.sender = SlackSender(self.client, settings.agents_channel)
        self.workspace: inbound.Workspace | None = None
        self.bound_port: int | None = None
        self._users: OrderedDict[str, tuple[float, str | None, str | None]] = OrderedDict()
        self._stopped = asyncio.Event()
        self._ready = asyncio.Event()

    # The adapter interface -------------------------------------------------------------------------

    async def run(self, sink: EventSink) -> None:
        self.workspace = await self._workspace()
        self._listen(sink)
        if self.http:
            await self._serve_http()
        else:
            await self._serve_socket_mode()

    async def send(self, event: OutboundEvent) -> str | None:
        return await self.sender.send(event)

    async def stop(self) -> None:
        self._stopped.set()

    async def ready(self) -> None:
        """Wait until the adapter takes events (for tests and benchmarks)."""
        await self._ready.wait()

    def connected(self) -> bool:
        """For /readyz: taking events (Socket Mode connected, or the HTTP server listening) and not stopped."""
        return self._ready.is_set() and not self._stopped.is_set()

    # Serving ----------------------------------------------------------------------------------------

    async def _workspace(self) -> inbound.Workspace:
        me = await self.client.auth_test()
        log.info("slack.connected team=%s bot=%s", me.get("team_id"), me.get("user_id"))
        return inbound.Workspace(str(me["user_id"]), self.settings.agents_channel, self.settings.support_channel_ids)

    async def _serve_socket_mode(self) -> None:
        token = self.settings.app_token.get_secret_value() if self.settings.app_token else None
        handler = AsyncSocketModeHandler(self.app, app_token=token, web_client=self.client)
        await handler.connect_async()
        self._ready.set()
        try:
            await self._stopped.wait()
        finally:
            await handler.close_async()

    async def _serve_http(self) -> None:
        """Events API, interactivity and the slash command on one path; bolt checks every signature."""

        async def dispatch(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await self.app.async_dispatch(await to_bolt_request(request)))

        async def health(_: web.Request) -> web.Response:
            return web.Response(text="ok")

        server = web.Application()
        server.router.add_post("/slack/events", dispatch)
        server.router.add_get("/healthz", health)
        runner = web.AppRunner(server)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self.bound_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("slack.http_listening port=%s path=/slack/events", self.bound_port)
        self._ready.set()
        try:
            await self._stopped.wait()
        finally:
            await runner.cleanup()

    # Listeners ---------------------------------------------------------------------------------------

    def _listen(self, sink: EventSink) -> None:
        async def on_message(event: dict[str, Any]) -> None:
            await self._deliver(sink, await self._customer_event(event))

        async def on_action(ack: Callable[[], Awaitable[None]], body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            await self._action(sink, body, action)

        async def on_view(ack: Callable[[], Awaitable[None]], body: dict[str, Any], view: dict[str, Any]) -> None:
            await ack()  # closes the modal
            await self._deliver(sink, self._submitted(body, view))

        async def on_command(ack: Callable[[], Awaitable[None]], body: dict[str, Any], respond: Any) -> None:
            await ack()
            assert self.workspace is not None
            token = RESPOND.set(respond)
            try:
                await sink(inbound.slash_command(body, self.workspace))
            finally:
                RESPOND.reset(token)

        self.app.event("message")(on_message)
        self.app.event("app_mention")(on_message)
        self.app.action(re.compile(r".+"))(on_action)
        self.app.view(re.compile(r"slack\..+"))(on_view)
        self.app.command(self.settings.command)(on_command)

    async def _deliver(self, sink: EventSink, event: InboundEvent | None) -> None:
        if event is not None:
            await sink(event)

    async def _customer_event(self, event: dict[str, Any]) -> InboundEvent | None:
        assert self.workspace is not None
        user = event.get("user")
        name, email = await self._user(str(user)) if user and not event.get("bot_id") else (None, None)
        return inbound.message(event, self.workspace, name, email)

    async def _action(self, sink: EventSink, body: dict[str, Any], action: dict[str, Any]) -> None:
        assert self.workspace is not None
        core_action = blocks.parse_action_id(str(action.get("action_id", "")))
        press = inbound.button(body, action, core_action, self.workspace)
        in_room = press.place is not None and press.place.agents_room
        if in_room and core_action in (REPLY_ACTION, EDIT_ACTION):
            await self._open_modal(body, core_action, press)
        elif core_action != REPLY_ACTION:  # a reply button means nothing outside the agents' room
            await sink(press)

    async def _open_modal(self, body: dict[str, Any], core_action: str, press: ButtonPress) -> None:
        """Reply and edit are modals: a ticket thread message never reaches a customer by accident."""
        assert press.place is not None
        metadata = {"channel": press.place.channel_id, "id": press.value}
        target = parse_id(press.value) or 0
        if core_action == REPLY_ACTION:
            view = modals.reply_modal(target, "the customer")
        else:
            view = modals.edit_draft_modal(target, self.sender.draft_text(target) or _draft_text(body))
        view["private_metadata"] = json.dumps(metadata)
        try:
            await self.client.views_open(trigger_id=str(body.get("trigger_id", "")), view=view)
        except SlackApiError as exc:
            log.warning("slack.modal_failed action=%s error=%s", core_action, exc.response.get("error"))

    def _submitted(self, body: dict[str, Any], view: dict[str, Any]) -> InboundEvent | None:
        assert self.workspace is not None
        return inbound.view_submission(body, view, self.workspace, REPLY_ACTION, EDIT_ACTION)

    async def _user(self, user_id: str) -> tuple[str | None, str | None]:
        """Display name and e-mail (for the directory), cached: one `users.info` per person an hour."""
        cached = self._users.get(user_id)
        if cached is not None and time.monotonic() - cached[0] < USER_TTL:
            return cached[1], cached[2]
        try:
            user = (await self.client.users_info(user=user_id)).get("user") or {}
        except SlackApiError as exc:
            log.warning("slack.user_lookup_failed user=%s error=%s", user_id, exc.response.get("error"))
            return None, None
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        self._users[user_id] = (time.monotonic(), name, profile.get("email"))
        while len(self._users) > USER_CACHE:
            self._users.popitem(last=False)
        return name, profile.get("email")


def _draft_text(body: dict[str, Any]) -> str:
    """The draft as posted on its card, when this process did not post it (after a restart)."""
    return inbound.posted_draft_text(body, "draft_text", blocks.unescape)
