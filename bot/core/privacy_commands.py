"""`/forget`: the right to erasure from the chat, for admins (an export is too long for a chat answer:
`supportbot export CUSTOMER` writes it)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core import customer_data
from bot.core.admin import CommandError, command
from bot.core.events import Person

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.privacy")
USAGE = "Usage: /forget CUSTOMER, where CUSTOMER is a platform key (slack:U0123ABCD) or an e-mail address."


@command("forget", private_arguments=True)
async def _forget(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """forget CUSTOMER — erase a customer's conversation text and profile (platform:user_id or e-mail); /stats counts stay.

    Messages, ticket reasons, drafts and knowledge-gap texts become [erased], their open tickets and
    conversations end, unsent messages to them are dropped, and the customer's next message starts
    afresh. Every platform account with that e-mail is forgotten. It cannot be undone."""
    if len(args) != 1:
        raise CommandError(USAGE)
    try:
        result = await bot.db(customer_data.forget, bot.store.engine, args[0], admin.key)
    except customer_data.CustomerDataError as exc:
        raise CommandError(str(exc)) from None
    log.info("privacy.forgotten actor=%s customers=%s", admin.key, ",".join(map(str, result.customers)))
    return result.describe()
