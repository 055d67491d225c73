"""Discord settings, from the environment and `.env` (every one documented in `.env.example`).

Servers are configured in one JSON value, `SUPPORTBOT_DISCORD_GUILDS`, a list with one object per
server: its staff channel and role, support channels and forum channels. The token is a `SecretStr`.
"""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from bot.config import ConfigError

DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


def _snowflake(value: str) -> str:
    value = str(value).strip()
    if not value.isascii() or not value.isdigit() or not 15 <= len(value) <= 21:
        raise ValueError(f"'{value}' is not a Discord id (turn on Developer Mode, right-click → Copy ID)")
    return value


class GuildConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    guild: str
    staff_channel: str | None = None  # private channel where agents work tickets (when the desk is Discord)
    staff_role: str | None = None  # members with it are agents
    support_channels: list[str] = []  # every message there is a customer question, answered in a thread
    forum_channels: list[str] = []  # every post there is a conversation

    @field_validator("guild", "staff_channel", "staff_role")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return _snowflake(value) if value is not None else None

    @field_validator("support_channels", "forum_channels")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        return [_snowflake(v) for v in value]


class DiscordSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("DISCORD_TOKEN"))
    api_url: str = Field(default=DISCORD_API, validation_alias=AliasChoices("DISCORD_API_URL"))
    gateway_url: str = Field(default=DISCORD_GATEWAY, validation_alias=AliasChoices("DISCORD_GATEWAY_URL"))
    guilds: list[GuildConfig] = Field(default_factory=list, validation_alias=AliasChoices("SUPPORTBOT_DISCORD_GUILDS"))
    application_id: str | None = Field(default=None, validation_alias=AliasChoices("DISCORD_APPLICATION_ID"))

    @field_validator("api_url")
    @classmethod
    def _api(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL such as https://discord.com/api/v10")
        return value.rstrip("/")

    def guild(self, guild_id: str | None) -> GuildConfig | None:
        return next((g for g in self.guilds if g.guild == guild_id), None)

    @property
    def staff_channels(self) -> frozenset[str]:
        return frozenset(g.staff_channel for g in self.guilds if g.staff_channel)

    def require(self) -> None:
        if self.token is None:
            raise ConfigError("Discord is not configured:\n  DISCORD_TOKEN (Developer Portal → your app → Bot → Reset Token)")


def load_discord_settings() -> DiscordSettings:
    try:
        return DiscordSettings()
    except ValidationError as exc:
        names = {"token": "DISCORD_TOKEN", "api_url": "DISCORD_API_URL", "guilds": "SUPPORTBOT_DISCORD_GUILDS"}
        problems = [f"{names.get(str(e['loc'][0]), str(e['loc'][0]))}{_path(e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("invalid Discord configuration:\n  " + "\n  ".join(problems)) from None
    except SettingsError:  # a JSON setting that is not JSON; guilds is the only one
        example = '[{"guild": "8035…", "staff_channel": "…", "support_channels": ["…"]}]'
        problem = f"SUPPORTBOT_DISCORD_GUILDS: not valid JSON (e.g. {example})"
        raise ConfigError(f"invalid Discord configuration:\n  {problem}") from None


def _path(loc: tuple[object, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
