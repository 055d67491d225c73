"""Actions: resolvers that make a system call (send a reset link, fetch an invoice), by intent.

One real, generic implementation ships: an HTTP webhook configured per intent in a YAML file. Custom
actions implement `Action` and are registered with `ActionRegistry.register`. Any failure — timeout,
4xx/5xx, a response that is not what the template needs — becomes an honest "I couldn't do that"
that hands the customer to a person; it never turns into a made-up answer.
"""

from __future__ import annotations

import json
import os
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import yaml

from knowledge.errors import ActionError
from knowledge.types import VALUE_SOURCES, ActionResult, ResolveRequest

HANDOFF_MESSAGE = "I couldn't do that just now, so I'm passing you to a person who can."
_ENV = re.compile(r"\$\{([A-Z0-9_]+)\}")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class Action(Protocol):
    name: str

    async def run(self, request: ResolveRequest) -> ActionResult: ...


@dataclass
class WebhookAction:
    name: str
    url: str
    method: str = "POST"
    fields: Mapping[str, str] = field(default_factory=dict)  # request field -> conversation value (VALUE_SOURCES)
    headers: Mapping[str, str] = field(default_factory=dict)  # values may be ${ENV_VAR}: secrets stay in the environment
    response_template: str = "Done."
    timeout_seconds: float = 5.0

    def __repr__(self) -> str:  # headers may hold credentials
        return f"WebhookAction(name={self.name!r}, method={self.method!r}, url={self.url!r})"

    async def run(self, request: ResolveRequest) -> ActionResult:
        payload: dict[str, str] = {}
        for target, source in self.fields.items():
            value = request.value(source)
            if value is None:
                return self._failed(f"the conversation has no {source} to send as '{target}'")
            payload[target] = value
        unset = _unset_variable(self.headers)
        if unset is not None:  # the environment changed since loading: don't send `Bearer ` and get an obscure 401
            return self._failed(f"header '{unset[0]}' needs environment variable {unset[1]}, which is not set")
        headers = {key: _ENV.sub(lambda m: os.environ.get(m.group(1), ""), value) for key, value in self.headers.items()}
        if request.idempotency_key:  # a turn re-run after a crash sends the same key: the service can drop the repeat
            headers.setdefault("Idempotency-Key", request.idempotency_key)
        is_get = self.method == "GET"
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(
                    self.method, self.url, headers=headers, params=payload if is_get else None, json=None if is_get else payload
                ) as response,
            ):
                text = await response.text()
                if response.status >= 400:
                    return self._failed(f"HTTP {response.status} from the webhook")
        except TimeoutError:
            return self._failed(f"no answer within {self.timeout_seconds:g} s")
        except (aiohttp.ClientError, ValueError) as exc:  # only the type: the text may quote a header, i.e. a secret
            return self._failed(f"request failed: {type(exc).__name__}")
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return self._failed("the webhook's response is not JSON")
        if not isinstance(data, dict):
            return self._failed("the webhook's response is not a JSON object")
        try:
            message = string.Formatter().vformat(self.response_template, (), {k: v for k, v in data.items()})
        except (KeyError, IndexError, ValueError) as exc:
            return self._failed(f"the response lacks what the template needs ({exc})")
        return ActionResult(self.name, True, message, f"HTTP {response.status}")

    def _failed(self, detail: str) -> ActionResult:
        return ActionResult(self.name, False, HANDOFF_MESSAGE, detail)


def _unset_variable(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """The first (header, VARIABLE) whose ${VARIABLE} is unset or empty, if any."""
    for key, value in headers.items():
        for variable in _ENV.findall(value):
            if not os.environ.get(variable):
                return key, variable
    return None


def _check_headers(name: str, headers: Mapping[str, str]) -> None:
    """Fail at start, not on a customer's request, when a header's ${VARIABLE} is unusable; never quote a value."""
    for key, value in headers.items():
        for variable in _PLACEHOLDER.findall(value):
            if not _ENV.fullmatch(f"${{{variable}}}"):
                raise ActionError(
                    f"action '{name}': header '{key}' has a ${{…}} that is not an environment variable (${{UPPER_CASE}})"
                )
    unset = _unset_variable(headers)
    if unset is not None:
        header, variable = unset
        raise ActionError(
            f"action '{name}': header '{header}' needs environment variable {variable}, which is not set (or empty)"
        )
    for key, value in headers.items():
        for variable in _ENV.findall(value):
            if any(c in os.environ.get(variable, "") for c in "\r\n"):
                raise ActionError(f"action '{name}': environment variable {variable} (header '{key}') contains a line break")


def _webhook(name: str, config: Mapping[str, Any]) -> WebhookAction:
    allowed = {"type", "url", "method", "fields", "headers", "response_template", "timeout_seconds"}
    unknown = sorted(map(str, set(config) - allowed))  # YAML keys may be numbers or booleans
    if unknown:
        raise ActionError(f"action '{name}': unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(allowed))}")
    url = str(config.get("url") or "")
    if not url.startswith(("http://", "https://")):
        raise ActionError(f"action '{name}': 'url' must be an http(s) URL")
    method = str(config.get("method", "POST")).upper()
    if method not in {"GET", "POST", "PUT", "PATCH"}:
        raise ActionError(f"action '{name}': method '{method}' is not GET, POST, PUT or PATCH")
    fields = _strings(name, "fields", config.get("fields"))
    for target, source in fields.items():
        if source not in VALUE_SOURCES and not source.startswith("customer.extra."):
            raise ActionError(
                f"action '{name}': field '{target}' takes unknown value '{source}'; "
                f"valid: {', '.join(VALUE_SOURCES)}, customer.extra.NAME"
            )
    try:
        timeout = float(config.get("timeout_seconds", 5))
    except (TypeError, ValueError):
        timeout = -1.0  # reported just below
    if not 0 < timeout <= 60:
        raise ActionError(f"action '{name}': timeout_seconds must be between 0 and 60")
    headers = _strings(name, "headers", config.get("headers"))
    _check_headers(name, headers)
    return WebhookAction(
        name=name,
        url=url,
        method=method,
        fields=fields,
        headers=headers,
        response_template=str(config.get("response_template", "Done.")),
        timeout_seconds=timeout,
    )


def _strings(name: str, key: str, value: object) -> dict[str, str]:
    """`fields:` or `headers:`, a mapping of names to values, as text."""
    if not isinstance(value, Mapping | None):
        raise ActionError(f"action '{name}': '{key}' must be a mapping of names to values")
    return {str(k): str(v) for k, v in (value or {}).items()}


ACTION_TYPES: dict[str, Callable[[str, Mapping[str, Any]], Action]] = {"webhook": _webhook}


class ActionRegistry:
    def __init__(self) -> None:
        self._by_intent: dict[str, Action] = {}

    def register(self, intent: str, action: Action) -> None:
        self._by_intent[intent] = action

    def get(self, intent: str) -> Action | None:
        return self._by_intent.get(intent)

    def intents(self) -> list[str]:
        return sorted(self._by_intent)


def load_actions(path: Path | None, known_intents: set[str] | None = None) -> ActionRegistry:
    """Read `actions: {intent: {type: webhook, url: …}}`; every problem names the file and action."""
    registry = ActionRegistry()
    if path is None:
        return registry
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ActionError(f"{path}: cannot read actions: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ActionError(f"{path}: cannot read actions: not UTF-8 text (byte {exc.start})") from None
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:  # PyYAML's constructors: 2026-02-30, !!int x
        raise ActionError(f"{path}: cannot read actions: invalid YAML value: {exc}") from None
    actions = raw.get("actions") if isinstance(raw, dict) else None
    if not isinstance(actions, dict):
        raise ActionError(f"{path}: expected a top-level 'actions:' mapping of intent -> action")
    for intent, config in actions.items():
        if known_intents is not None and intent not in known_intents:
            raise ActionError(f"{path}: action for unknown intent '{intent}'")
        if not isinstance(config, dict):
            raise ActionError(f"{path}: action '{intent}' must be a mapping")
        kind = str(config.get("type", "webhook"))
        if kind not in ACTION_TYPES:
            raise ActionError(f"{path}: action '{intent}' has unknown type '{kind}'; known: {', '.join(ACTION_TYPES)}")
        try:
            registry.register(intent, ACTION_TYPES[kind](intent, config))
        except ActionError as exc:
            raise ActionError(f"{path}: {exc}") from None
    return registry
