"""Conversation-signal training data: customer turns labelled in context.

    signals: [frustrated, wants_human, risk, closing]
    conversations:
      - id: s0001
        turns:
          - text: "how do I export a project to csv?"
            signals: []
            bot: answered            # what the bot did with this turn (the next turn's context)
          - text: "did that, the button is greyed out. again."
            pressed: not_quite       # the customer pressed this just before writing
            signals: [frustrated]

Labels are per turn and read in context, so conversations are split whole between training and
validation: a turn never sits on the other side from the turns that explain it.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from models.context import BOT_ACTIONS, PRESSES, TurnContext
from models.errors import DataFileError

# libyaml's parser when installed: the bundled data is 7,000 turns, read on every start to check the model
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TURN_KEYS = {"text", "signals", "bot", "pressed"}
_CONVERSATION_KEYS = {"id", "turns", "customer", "escalate", "reasons", "frustrated", "why"}  # the benchmark's extras


@dataclass(frozen=True)
class SignalTurn:
    text: str
    labels: frozenset[str]
    context: TurnContext  # built from the labelled conversation: the previous turn's gold signals


@dataclass(frozen=True)
class SignalConversation:
    id: str
    turns: tuple[SignalTurn, ...]


@dataclass(frozen=True)
class SignalData:
    source: Path
    names: tuple[str, ...]
    conversations: tuple[SignalConversation, ...]

    @property
    def turns(self) -> list[SignalTurn]:
        return [turn for conversation in self.conversations for turn in conversation.turns]

    def positives(self) -> dict[str, int]:
        return {name: sum(name in t.labels for t in self.turns) for name in self.names}

    def content_hash(self) -> str:
        digest = hashlib.sha256(",".join(self.names).encode())
        for conversation in self.conversations:
            for turn in conversation.turns:
                c = turn.context
                digest.update(f"{turn.text}\x00{sorted(turn.labels)}\x00{c.bot_last}\x00{c.pressed}\x01".encode())
        return digest.hexdigest()

    def split(self, val_fraction: float, seed: int) -> tuple[SignalData, SignalData]:
        """Whole conversations to each side, reproducibly; both sides keep every signal where possible."""
        order = list(self.conversations)
        random.Random(seed).shuffle(order)
        n_val = max(1, round(len(order) * val_fraction)) if len(order) > 1 else 0
        return (
            SignalData(self.source, self.names, tuple(order[n_val:])),
            SignalData(self.source, self.names, tuple(order[:n_val])),
        )


def _problem(path: Path, where: str, problem: str) -> DataFileError:
    return DataFileError(path, f"{where}: {problem}")


def _names(path: Path, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(n, str) and n.isidentifier() for n in raw):
        raise DataFileError(path, "'signals:' must list the signal names, e.g. [frustrated, wants_human, risk, closing]")
    if len(set(raw)) != len(raw):
        raise DataFileError(path, "'signals:' names a signal twice")
    return tuple(raw)


def _turn(path: Path, where: str, raw: Any, names: tuple[str, ...]) -> tuple[str, frozenset[str], str | None, str | None]:
    if not isinstance(raw, dict):
        raise _problem(path, where, "a turn must be a mapping with 'text' and 'signals'")
    unknown = sorted(set(raw) - _TURN_KEYS)
    if unknown:
        raise _problem(path, where, f"unknown key '{unknown[0]}'; valid keys: {', '.join(sorted(_TURN_KEYS))}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _problem(path, where, "'text' must be a non-empty string")
    labels = raw.get("signals", [])
    if not isinstance(labels, list) or not all(isinstance(s, str) for s in labels):
        raise _problem(path, where, "'signals' must be a list of signal names (possibly empty)")
    bad = sorted(set(labels) - set(names))
    if bad:
        raise _problem(path, where, f"unknown signal '{bad[0]}'; the file declares: {', '.join(names)}")
    bot, pressed = raw.get("bot"), raw.get("pressed")
    if bot is not None and (bot not in BOT_ACTIONS or bot == "none"):
        raise _problem(path, where, f"bot '{bot}' is not one of {', '.join(BOT_ACTIONS[1:])}")
    if pressed is not None and pressed not in PRESSES:
        raise _problem(path, where, f"pressed '{pressed}' is not one of {', '.join(PRESSES)}")
    return text.strip(), frozenset(labels), bot, pressed


def _conversation(path: Path, index: int, raw: Any, names: tuple[str, ...]) -> SignalConversation:
    if not isinstance(raw, dict) or not isinstance(raw.get("turns"), list) or not raw["turns"]:
        raise DataFileError(path, f"conversation #{index + 1}: needs 'id' and a non-empty 'turns' list")
    ident = str(raw.get("id", f"#{index + 1}"))
    unknown = sorted(set(raw) - _CONVERSATION_KEYS)
    if unknown:
        raise DataFileError(path, f"conversation {ident}: unknown key '{unknown[0]}'")
    turns: list[SignalTurn] = []
    bot_last, previous, failed = "none", frozenset[str](), 0
    earlier: tuple[str, ...] = ()
    for number, item in enumerate(raw["turns"], start=1):
        text, labels, bot, pressed = _turn(path, f"conversation {ident}, turn {number}", item, names)
        failed += pressed == "not_quite"
        context = TurnContext(
            bot_last=bot_last,
            pressed=pressed,
            previous={name: 1.0 for name in previous},
            failed_answers=failed,
            turn_index=number - 1,
            earlier_texts=earlier,
        )
        turns.append(SignalTurn(text, labels, context))
        bot_last, previous, earlier = bot or "answered", labels, (*earlier, text)
    return SignalConversation(ident, tuple(turns))


def load_signal_data(path: Path | str, names: tuple[str, ...] | None = None) -> SignalData:
    """A file, or a directory of `*.yaml` files (each written by a different author, merged; they must
    declare the same signals). `names`: the signals to expect when a file does not declare them (the
    escalation benchmark's files label turns without a `signals:` header); turns without `bot:` are
    taken as answered."""
    path = Path(path)
    if path.is_dir():
        return _load_directory(path, names)
    return _load_file(path, names)


def _load_directory(path: Path, names: tuple[str, ...] | None) -> SignalData:
    files = sorted(p for p in path.rglob("*.yaml") if p.is_file())
    if not files:
        raise DataFileError(path, "a directory of signal data needs at least one .yaml file")
    parts = [_load_file(file, names) for file in files]
    for part in parts[1:]:
        if part.names != parts[0].names:
            raise DataFileError(
                part.source, f"declares signals {list(part.names)}, but {parts[0].source} declares {list(parts[0].names)}"
            )
    merged = SignalData(path, parts[0].names, tuple(c for part in parts for c in part.conversations))
    _unique_ids(path, merged.conversations)
    return merged


def _unique_ids(path: Path, conversations: tuple[SignalConversation, ...]) -> None:
    seen: set[str] = set()
    for conversation in conversations:
        if conversation.id in seen:
            raise DataFileError(path, f"conversation id '{conversation.id}' is used twice")
        seen.add(conversation.id)


def _load_file(path: Path, names: tuple[str, ...] | None) -> SignalData:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise DataFileError(path, f"cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path, "not UTF-8 text") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("conversations"), list) or not raw["conversations"]:
        raise DataFileError(path, "expected 'signals:' and a non-empty 'conversations:' list")
    unknown_top = sorted(set(raw) - {"version", "signals", "conversations"})
    if unknown_top:
        raise DataFileError(path, f"unknown key '{unknown_top[0]}'; valid keys: conversations, signals, version")
    declared = _names(path, raw["signals"] if "signals" in raw or names is None else list(names))
    conversations = tuple(_conversation(path, i, c, declared) for i, c in enumerate(raw["conversations"]))
    _unique_ids(path, conversations)
    return SignalData(path, declared, conversations)
