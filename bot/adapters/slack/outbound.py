"""Core outbound events → Slack Web API calls. Where each goes: customer replies to the customer's DM or
thread; cards and drafts to the agents' channel; notices into a card's thread; stale buttons edited out
of the message that carried them; private answers as ephemeral messages (or the slash command's
`response_url`). A send that Slack refuses raises, so the core keeps the event in its outbox.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.drafts_seen import DraftsSeen
from bot.adapters.slack import blocks, mrkdwn
from bot.adapters.slack.blocks import SlackMessage
from bot.adapters.slack.inbound import ref, split_ref
from bot.core.events import (
    AgentCard,
    AgentNotice,
    CommandResponse,
    CustomerReply,
    DraftCard,
    OutboundEvent,
    RatingRequest,
    RetireButtons,
)

log = logging.getLogger("supportbot.slack")
Respond = Callable[..., Awaitable[Any]]
RESPOND: contextvars.ContextVar[Respond | None] = contextvars.ContextVar("slack_respond", default=None)


class SlackSender:
    def __init__(self, client: AsyncWebClient, agents_channel: str) -> None:
        self.client = client
        self.agents_channel = agents_channel
        self.drafts = DraftsSeen()

    def draft_text(self, draft_id: int) -> str | None:
        return self.drafts.get(draft_id) or None

    async def send(self, event: OutboundEvent) -> str | None:
        if isinstance(event, CustomerReply):
            return await self._post_all(event.place.channel_id, event.place.thread_id, blocks.render_reply(event))
        if isinstance(event, RatingRequest):
            return await self._post_all(event.place.channel_id, event.place.thread_id, [blocks.render_rating(event)])
        if isinstance(event, AgentCard):
            return await self._post(self.agents_channel, None, blocks.render_card(event))
        if isinstance(event, DraftCard):
            self.drafts.remember(event)
            return await self._post(self.agents_channel, None, blocks.render_draft(event))
        if isinstance(event, AgentNotice):
            thread = split_ref(event.agent_thread_id)[1] if event.agent_thread_id else None
            return await self._post_all(self.agents_channel, thread, blocks.render_notice(event))
        if isinstance(event, RetireButtons):
            await self._retire(event)
            return event.ref
        if isinstance(event, CommandResponse):
            await self._private(event)
            return None
        raise TypeError(f"the Slack adapter cannot send a {type(event).__name__}")

    async def _post(self, channel: str, thread: str | None, message: SlackMessage) -> str:
        response = await self.client.chat_postMessage(
            channel=channel, thread_ts=thread, text=message.text, blocks=list(message.blocks), unfurl_links=False
        )
        return ref(str(response["channel"]), str(response["ts"]))

    async def _post_all(self, channel: str, thread: str | None, messages: list[SlackMessage]) -> str | None:
        """Long text arrives as several messages; the last one (with the buttons) is the reference."""
        posted = None
        for message in messages:
            posted = await self._post(channel, thread, message)
        return posted

    async def _retire(self, event: RetireButtons) -> None:
        channel, ts = split_ref(event.ref)
        original = event.original
        if original is None:
            return
        if event.keep and isinstance(original, AgentCard):  # still live: the same card, fewer buttons, a status line
            rendered = blocks.render_card(dataclasses.replace(original, buttons=event.keep))
            status = blocks.context_block(mrkdwn.render(event.note), "status")
            *body, last = rendered.blocks
            updated = [*body, status, last] if last.get("type") == "actions" else [*rendered.blocks, status]
            await self.client.chat_update(channel=channel, ts=ts, text=rendered.text, blocks=updated)
            return
        rendered = _render(original)
        await self.client.chat_update(
            channel=channel, ts=ts, text=rendered.text, blocks=list(blocks.retire(rendered.blocks, event.note))
        )

    async def _private(self, event: CommandResponse) -> None:
        respond = RESPOND.get()
        text = event.text if event.ok else f":warning: {event.text}"
        if respond is not None:  # answering a slash command: works in any channel, bot member or not
            await respond(text=text, response_type="ephemeral")
            return
        if event.place is None:
            log.warning("slack.private_dropped user=%s (no place to answer in)", event.to.user_id)
            return
        await self.client.chat_postEphemeral(channel=event.place.channel_id, user=event.to.user_id, text=text)


def _render(event: OutboundEvent) -> SlackMessage:
    """The last (button-carrying) message of what was posted, as it was rendered then."""
    if isinstance(event, CustomerReply):
        return blocks.render_reply(event)[-1]
    if isinstance(event, RatingRequest):
        return blocks.render_rating(event)
    if isinstance(event, AgentCard):
        return blocks.render_card(event)
    if isinstance(event, DraftCard):
        return blocks.render_draft(event)
    if isinstance(event, AgentNotice):
        return blocks.render_notice(event)[-1]
    raise TypeError(f"nothing to retire on a {type(event).__name__}")
