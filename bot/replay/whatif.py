"""What-if policies for `supportbot replay`: `--set KEY=VALUE`, `--tier INTENT=TIER` and
`--sweep KEY=START:STOP:STEP`, parsed and applied to a `Policy` without touching anything else.

A key is a dotted path to one setting of the policy model (`low_confidence.threshold`,
`frustration.enabled`, `answer.max_wrong_rate`); a named business rule is addressed by its name
(`business_rules.rules.billing_amount.amount`). Values are read as YAML scalars and then checked by the
policy model itself, so a value the policy file would refuse (a threshold of 1.5, `maybe` for a switch)
is refused here with the same reason. A tier change is a policy change too: `policy.tiers` overrides the
model's tiers, exactly as in the policy file.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.core.policy import TIERS, Policy

MAX_SWEEP = 25


class WhatIfError(Exception):
    """A --set, --tier or --sweep argument that cannot be used; the message says why in one line."""


@dataclass(frozen=True)
class Setting:
    """`--set KEY=VALUE`: one setting of the policy."""

    key: str
    value: Any  # as the policy model holds it
    text: str  # as typed


@dataclass(frozen=True)
class TierSetting:
    """`--tier INTENT=TIER`."""

    intent: str
    tier: str


@dataclass(frozen=True)
class Sweep:
    """`--sweep KEY=START:STOP:STEP`: the values to replay, in order."""

    key: str
    values: tuple[float, ...]


def keys(policy: Policy) -> list[str]:
    """Every settable dotted path: scalar settings of the policy's sections and of its named rules."""
    return list(_leaves(policy, ""))


def _leaves(model: BaseModel, prefix: str) -> Iterator[str]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from _leaves(value, f"{path}.")
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) and hasattr(v, "name") for v in value):
            for item in value:
                yield from (leaf for leaf in _leaves(item, f"{path}.{item.name}.") if not leaf.endswith((".name", ".kind")))
        elif not isinstance(value, list | dict):
            yield path


def current(policy: Policy, key: str) -> Any:
    """The value a key has in `policy` (the key must be one of `keys(policy)`)."""
    node: Any = policy
    for part in key.split("."):
        node = _child(node, part)
    return node


def _child(node: Any, part: str) -> Any:
    if isinstance(node, list):
        return next(item for item in node if getattr(item, "name", None) == part)
    return getattr(node, part)


def _unknown(key: str, known: Sequence[str]) -> WhatIfError:
    near = difflib.get_close_matches(key, known, n=4, cutoff=0.6)
    if not near:  # a right leaf under a wrong section, or the other way round
        leaf = key.rsplit(".", 1)[-1]
        near = [k for k in known if k.endswith(f".{leaf}") or k.startswith(f"{key}.")][:4]
    hint = f"; did you mean {', '.join(near)}?" if near else f"; sections: {', '.join(sorted({k.split('.')[0] for k in known}))}"
    return WhatIfError(f"unknown policy setting '{key}'{hint}")


def _scalar(text: str) -> Any:
    if text.strip().lower() in ("", "null", "none", "~"):
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str | int | float | bool) else text


def _split(raw: str, flag: str, form: str) -> tuple[str, str]:
    key, sep, value = raw.partition("=")
    if not sep or not key.strip():
        raise WhatIfError(f"{flag} {raw!r}: expected {form}")
    return key.strip(), value.strip()


def with_value(policy: Policy, key: str, value: Any, shown: str) -> Policy:
    """`policy` with one setting changed, checked by the policy model (the original is left as it was)."""
    known = keys(policy)
    if key not in known:
        raise _unknown(key, known)
    data = policy.model_dump()
    node: Any = data
    parts = key.split(".")
    for part in parts[:-1]:
        node = next(item for item in node if item.get("name") == part) if isinstance(node, list) else node[part]
    node[parts[-1]] = value
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise WhatIfError(f"{shown}: {error['msg'].lower()} (now {current(policy, key)!r})") from None


def parse_setting(raw: str, policy: Policy) -> Setting:
    key, text = _split(raw, "--set", "KEY=VALUE, e.g. low_confidence.threshold=0.5")
    changed = with_value(policy, key, _scalar(text), f"--set {key}={text}")
    return Setting(key, current(changed, key), text)


def parse_tier(raw: str, intents: Sequence[str]) -> TierSetting:
    intent, tier = _split(raw, "--tier", f"INTENT=TIER with TIER one of {'|'.join(TIERS)}, e.g. sso_setup=auto")
    if intent not in intents:
        near = difflib.get_close_matches(intent, intents, n=4, cutoff=0.6)
        hint = f"did you mean {', '.join(near)}?" if near else f"the model's intents: {', '.join(sorted(intents))}"
        raise WhatIfError(f"--tier {raw}: the model has no intent '{intent}'; {hint}")
    if tier not in TIERS:
        raise WhatIfError(f"--tier {raw}: unknown tier '{tier}'; one of {', '.join(TIERS)}")
    return TierSetting(intent, tier)


def parse_sweep(raw: str, policy: Policy) -> Sweep:
    key, spec = _split(raw, "--sweep", "KEY=START:STOP:STEP, e.g. low_confidence.threshold=0.3:0.7:0.05")
    parts = spec.split(":")
    try:
        start, stop, step = (Decimal(p.strip()) for p in parts) if len(parts) == 3 else (None, None, None)
    except InvalidOperation:
        start = stop = step = None
    if start is None or stop is None or step is None or not all(map(Decimal.is_finite, (start, stop, step))):
        raise WhatIfError(f"--sweep {raw}: expected KEY=START:STOP:STEP with three numbers, e.g. {key}=0.3:0.7:0.05")
    if step <= 0 or stop < start:
        raise WhatIfError(f"--sweep {raw}: STEP must be above 0 and STOP at least START")
    count = math.floor((stop - start) / step) + 1
    if count > MAX_SWEEP:
        raise WhatIfError(f"--sweep {raw}: {count} values; at most {MAX_SWEEP} (take a larger STEP)")
    values = tuple(float(start + i * step) for i in range(count))
    for value in values:  # the key exists, is a number, and every value is allowed
        changed = with_value(policy, key, value, f"--sweep {key}={value:g}")
        if isinstance(current(changed, key), bool) or not isinstance(current(changed, key), int | float):
            raise WhatIfError(f"--sweep {raw}: {key} is not a number (now {current(policy, key)!r}); use --set")
    return Sweep(key, values)


def apply(policy: Policy, settings: Sequence[Setting] = (), tiers: Sequence[TierSetting] = ()) -> Policy:
    """The policy with the changes applied in order; `policy` itself is not changed."""
    changed = policy.model_copy(deep=True)
    for setting in settings:
        changed = with_value(changed, setting.key, setting.value, f"--set {setting.key}={setting.text}")
    if tiers:
        changed = changed.model_copy(update={"tiers": {**changed.tiers, **{t.intent: t.tier for t in tiers}}})
    return changed
