"""Adapters: the only code that knows a chat platform. Each turns platform events into
`bot.core.events` and renders outbound events back; registered by name and imported on use, so a
console run never imports a platform SDK."""

from __future__ import annotations

import importlib

ADAPTERS: dict[str, str] = {
    "console": "bot.adapters.console:ConsoleAdapter",
    "slack": "bot.adapters.slack.adapter:SlackAdapter",
    "discord": "bot.adapters.discord.adapter:DiscordAdapter",
}


def adapter_class(name: str) -> type:
    if name not in ADAPTERS:
        raise KeyError(f"unknown adapter '{name}'; available: {', '.join(sorted(ADAPTERS))}")
    module, _, attribute = ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)
