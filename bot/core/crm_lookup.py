"""The optional CRM lookup behind the customer directory: `GET URL?key=KEY` for each key, most specific first.

The CRM answers a JSON object (`{company, tier, account_value, role}`); 404 or `{}` means it does not know
the key. Answers are cached, hits and misses alike, in a bounded LRU for `cache_seconds`, so a busy channel
asks once per key per TTL. The CRM is a convenience, never a dependency: one message waits at most
`timeout_seconds` for all its keys together, and a timeout or error logs a warning, is treated as "unknown"
and pauses further requests for `retry_after_seconds`, so an outage costs one slow message, not every one.

Header values may reference environment variables as `${NAME}` (as in knowledge/actions.py): secrets stay in
the environment, a missing one fails the start, and header values are never logged or shown in `repr`.
An answer has the fields of a directory file row, so `read_profile` here reads both: strictly for the file
(bot.core.directory fails the start), leniently for the CRM (a bad field is dropped with a warning).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from bot.core.events import CustomerProfile

log = logging.getLogger("supportbot.directory")

TIERS = ("free", "team", "business", "enterprise")
ROLES = ("owner", "admin", "member", "guest")
T = TypeVar("T")
_ENV = re.compile(r"\$\{([A-Z0-9_]+)\}")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


# Profiles: a CRM answer has the fields of a directory file row -------------------------------------


def _text(value: object) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ValueError(f"'{value}' is not a name")
    return str(value).strip()


def _one_of(choices: tuple[str, ...], what: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if str(value).strip().lower() not in choices:
            raise ValueError(f"{what} '{value}' is not one of {', '.join(choices)}")
        return str(value).strip().lower()

    return parse


def _amount(value: object) -> float:
    try:
        number = float(value) if isinstance(value, int | float | str) and not isinstance(value, bool) else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"account_value '{value}' is not a number ≥ 0")
    return number


def read_profile(raw: Mapping[str, Any], report: Callable[[str, str], None]) -> CustomerProfile:
    """The profile fields of a file row or a CRM answer; a bad field is reported (field, problem) and left unset."""

    def read(name: str, parse: Callable[[object], T]) -> T | None:
        value = raw.get(name)
        if value is None or value == "":
            return None
        try:
            return parse(value)
        except ValueError as exc:
            report(name, str(exc))
            return None

    return CustomerProfile(
        company=read("company", _text),
        tier=read("tier", _one_of(TIERS, "tier")),
        role=read("role", _one_of(ROLES, "role")),
        account_value=read("account_value", _amount),
    )


def _profile_from_answer(answer: Mapping[str, Any]) -> CustomerProfile | None:
    """The CRM's answer, leniently: a bad field is left unset with a warning, never failing the message."""
    profile = read_profile(
        answer, lambda name, problem: log.warning("directory.crm_field_ignored field=%s problem=%s", name, problem)
    )
    return None if profile == CustomerProfile() else profile


# The lookup ---------------------------------------------------------------------------------------


class _CrmAnswerError(Exception):
    """An answer the lookup cannot use (HTTP error, not a JSON object); the message is safe to log."""


@dataclass(frozen=True)
class _Cached:
    profile: CustomerProfile | None  # None: the CRM does not know the key
    expires: float


class _TtlCache:
    """A bounded LRU of answers that expire: the least recently used go first when it is full."""

    def __init__(self, ttl_seconds: float, max_entries: int) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._items: OrderedDict[str, _Cached] = OrderedDict()

    def get(self, key: str, now: float) -> _Cached | None:
        cached = self._items.get(key)
        if cached is None:
            return None
        if cached.expires <= now:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return cached

    def put(self, key: str, profile: CustomerProfile | None, now: float) -> None:
        if self._ttl <= 0:
            return
        self._items[key] = _Cached(profile, now + self._ttl)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)


def resolve_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header values with `${NAME}` replaced from the environment; a ValueError names the header, never a value."""
    resolved = {}
    for name, template in headers.items():
        for variable in _PLACEHOLDER.findall(template):
            if not _ENV.fullmatch(f"${{{variable}}}"):
                raise ValueError(f"header '{name}' has a ${{…}} that is not an environment variable (${{UPPER_CASE}})")
            value = os.environ.get(variable, "")
            if not value:
                raise ValueError(f"header '{name}' needs environment variable {variable}, which is not set (or empty)")
            if any(c in value for c in "\r\n"):
                raise ValueError(f"environment variable {variable} (header '{name}') contains a line break")
        resolved[name] = _ENV.sub(lambda m: os.environ[m.group(1)], template)
    return resolved


class CrmLookup:
    def __init__(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        timeout_seconds: float = 2.0,
        cache_seconds: float = 300.0,
        max_entries: int = 10_000,
        retry_after_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("SUPPORTBOT_CRM_URL must be an http(s) URL")
        if timeout_seconds <= 0:
            raise ValueError("SUPPORTBOT_CRM_TIMEOUT_SECONDS must be more than 0")
        try:
            self._headers = resolve_headers(headers or {})
        except ValueError as exc:
            raise ValueError(f"SUPPORTBOT_CRM_HEADERS: {exc}") from None
        self._url = url
        self._timeout = timeout_seconds
        self._cache_seconds = cache_seconds
        self._cache = _TtlCache(cache_seconds, max_entries)
        self._retry_after = retry_after_seconds
        self._clock = clock
        self._paused_until = float("-inf")

    @classmethod
    def configure(cls, url: str, headers_json: str, *, timeout_seconds: float, cache_seconds: float) -> CrmLookup:
        """From the settings' text; a ValueError names the setting that is wrong."""
        try:
            headers = json.loads(headers_json) if headers_json.strip() else {}
        except json.JSONDecodeError:
            raise ValueError("SUPPORTBOT_CRM_HEADERS is not valid JSON (expected an object of header: value)") from None
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise ValueError("SUPPORTBOT_CRM_HEADERS must be a JSON object of header: text value")
        return cls(url, headers, timeout_seconds=timeout_seconds, cache_seconds=cache_seconds)

    def __repr__(self) -> str:  # headers hold credentials
        return f"CrmLookup(url={self._url!r}, headers={sorted(self._headers)!r})"

    def describe(self) -> str:
        return f"CRM lookup on (cache {self._cache_seconds:g} s)"

    async def find(self, keys: Sequence[str]) -> CustomerProfile | None:
        """The answer for the most specific key the CRM knows, or None (unknown, or the CRM is unavailable)."""
        now = self._clock()
        for position, key in enumerate(keys):
            cached = self._cache.get(key, now)
            if cached is None:
                return await self._ask(keys[position:])
            if cached.profile is not None:
                return cached.profile
        return None

    async def _ask(self, keys: Sequence[str]) -> CustomerProfile | None:
        if self._clock() < self._paused_until:
            return None
        try:
            async with asyncio.timeout(self._timeout), aiohttp.ClientSession(headers=self._headers) as session:
                for key in keys:
                    cached = self._cache.get(key, self._clock())
                    profile = cached.profile if cached is not None else await self._fetch(session, key)
                    if cached is None:
                        self._cache.put(key, profile, self._clock())
                    if profile is not None:
                        return profile
        except TimeoutError:
            self._pause(f"no answer within {self._timeout:g} s")
        except aiohttp.ClientError as exc:  # only the type: the text may quote a header, i.e. a secret
            self._pause(f"request failed: {type(exc).__name__}")
        except _CrmAnswerError as exc:
            self._pause(str(exc))
        return None

    async def _fetch(self, session: aiohttp.ClientSession, key: str) -> CustomerProfile | None:
        async with session.get(self._url, params={"key": key}) as response:
            if response.status in (204, 404):
                return None
            if response.status >= 400:
                raise _CrmAnswerError(f"HTTP {response.status}")
            try:
                data = await response.json(content_type=None)
            except ValueError:
                raise _CrmAnswerError("the answer is not JSON") from None
        if not isinstance(data, dict):
            raise _CrmAnswerError("the answer is not a JSON object")
        return _profile_from_answer(data)

    def _pause(self, reason: str) -> None:
        self._paused_until = self._clock() + self._retry_after
        log.warning(
            "directory.crm_unavailable reason=%r retry_in=%gs (customers are treated as unknown)", reason, self._retry_after
        )
