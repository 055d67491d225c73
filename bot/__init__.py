"""supportbot: a self-hosted customer-support bot for Slack and Discord."""

__version__ = "0.1.0"
