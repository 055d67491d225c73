"""Slack settings, from the environment and `.env` (every one documented in `.env.example`).

Tokens are `SecretStr`: they never show in a repr, a log line or an error message.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import ConfigError

SLACK_API = "https://slack.com/api/"


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    bot_token: SecretStr | None = Field(default=None, validation_alias=_alias("SLACK_BOT_TOKEN"))
    app_token: SecretStr | None = Field(default=None, validation_alias=_alias("SLACK_APP_TOKEN"))
    signing_secret: SecretStr | None = Field(default=None, validation_alias=_alias("SLACK_SIGNING_SECRET"))
    api_url: str = Field(default=SLACK_API, validation_alias=_alias("SLACK_API_URL"))
    agents_channel: str = Field(default="", validation_alias=_alias("SUPPORTBOT_SLACK_AGENTS_CHANNEL"))
    support_channels: str = Field(default="", validation_alias=_alias("SUPPORTBOT_SLACK_SUPPORT_CHANNELS"))
    command: str = Field(default="/supportbot", validation_alias=_alias("SUPPORTBOT_SLACK_COMMAND"))
    port: int = Field(default=3000, ge=1, le=65535, validation_alias=_alias("SUPPORTBOT_SLACK_PORT"))

    @field_validator("api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("agents_channel")
    @classmethod
    def _channel_id(cls, value: str) -> str:
        value = value.strip()
        if value and value[:1] not in ("C", "G"):
            raise ValueError(f"'{value}' is not a channel id (C… or G…): copy it from the channel's details in Slack")
        return value

    @field_validator("command")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.startswith("/") else "/" + value

    @property
    def support_channel_ids(self) -> frozenset[str]:
        return frozenset(filter(None, (part.strip() for part in self.support_channels.split(","))))

    def require(self, http: bool) -> None:
        """Say every missing setting at once, before anything connects."""
        missing = []
        if self.bot_token is None:
            missing.append("SLACK_BOT_TOKEN (xoxb-…, from OAuth & Permissions)")
        if http and self.signing_secret is None:
            missing.append("SLACK_SIGNING_SECRET (from Basic Information)")
        if not http and self.app_token is None:
            missing.append("SLACK_APP_TOKEN (xapp-…, an app-level token with connections:write) or run with --http")
        if not self.agents_channel:
            missing.append("SUPPORTBOT_SLACK_AGENTS_CHANNEL (the private agents' channel id)")
        if missing:
            raise ConfigError("Slack is not configured:\n  " + "\n  ".join(missing))


def _env_name(field: str) -> str:
    alias = SlackSettings.model_fields[field].validation_alias if field in SlackSettings.model_fields else None
    return str(alias.choices[0]) if isinstance(alias, AliasChoices) else field


def load_slack_settings() -> SlackSettings:
    try:
        return SlackSettings()
    except ValidationError as exc:
        problems = [f"{_env_name(str(e['loc'][0]))}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("invalid Slack configuration:\n  " + "\n  ".join(problems)) from None
