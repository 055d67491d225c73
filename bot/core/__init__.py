"""The platform-neutral conversation core: what happens to every customer, agent and admin event.

Adapters (console, Slack, Discord) translate platform payloads into `bot.core.events` and render the
outbound events back; nothing in here knows a platform.
"""
