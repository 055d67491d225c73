"""Labelled examples and the loaders that read them from YAML intent files and CSV exports.

Every problem is reported as a `DataFileError` naming the file and, where there is one, the line:
the person fixing a helpdesk export needs to know where to look, not that "a KeyError" happened.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from models.errors import DataFileError
from models.labels import OUT_OF_SCOPE, normalise_label

TIERS = ("auto", "assisted", "human", "off")
_INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_INTENT_KEYS = {"description", "tier", "examples"}
_TOP_KEYS = {"version", "product", "intents", "out_of_scope"}


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    line: int | None = None


@dataclass(frozen=True)
class IntentInfo:
    """What the intents file says about an intent besides its examples."""

    name: str
    description: str = ""
    tier: str | None = None


@dataclass
class LabelledData:
    source: Path
    examples: list[Example]
    intents: dict[str, IntentInfo] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """In-scope labels, sorted so that label ids are stable across runs."""
        return sorted({e.label for e in self.examples if e.label != OUT_OF_SCOPE})

    @property
    def has_out_of_scope(self) -> bool:
        return any(e.label == OUT_OF_SCOPE for e in self.examples)

    def counts(self) -> Counter[str]:
        return Counter(e.label for e in self.examples)

    def content_hash(self) -> str:
        """Hash of the (text, label) pairs: the model card records it to tell when data changed."""
        digest = hashlib.sha256()
        for example in self.examples:
            digest.update(example.label.encode() + b"\x00" + example.text.encode() + b"\x01")
        return digest.hexdigest()


# --------------------------------------------------------------------------- YAML intents


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _scalar(path: Path, node: Node, what: str) -> str:
    if not isinstance(node, ScalarNode) or node.tag.endswith((":null", ":map", ":seq")):
        raise DataFileError(path, f"{what} must be a text value", _line(node))
    return str(node.value)


def _mapping(path: Path, node: Node, what: str) -> list[tuple[str, Node, int]]:
    if not isinstance(node, MappingNode):
        raise DataFileError(path, f"{what} must be a mapping (key: value)", _line(node))
    items = []
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = _scalar(path, key_node, f"a key in {what}")
        if key in seen:
            raise DataFileError(path, f"duplicate key '{key}' in {what}", _line(key_node))
        seen.add(key)
        items.append((key, value_node, _line(key_node)))
    return items


def _examples(path: Path, node: Node, label: str, out: list[Example]) -> None:
    if not isinstance(node, SequenceNode) or not node.value:
        raise DataFileError(path, f"'{label}' needs a non-empty list of examples", _line(node))
    for item in node.value:
        text = _scalar(path, item, f"an example of '{label}'").strip()
        if not text:
            raise DataFileError(path, f"empty example in '{label}'", _line(item))
        out.append(Example(text=text, label=label, line=_line(item)))


def load_intents_yaml(path: Path) -> LabelledData:
    """Read an intents file: `intents: {name: {description, tier, examples}}` plus `out_of_scope`."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DataFileError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}", line) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path, "not UTF-8 text") from exc
    if root is None:
        raise DataFileError(path, "the file is empty; expected an 'intents:' mapping")
    top = _mapping(path, root, "the file")
    keys = {key: (value, line) for key, value, line in top}
    for key, _value, line in top:
        if key not in _TOP_KEYS:
            raise DataFileError(path, f"unknown key '{key}'; valid keys: {', '.join(sorted(_TOP_KEYS))}", line)
    if "intents" not in keys:
        raise DataFileError(path, "missing the 'intents:' mapping")

    examples: list[Example] = []
    intents: dict[str, IntentInfo] = {}
    for name, body, line in _mapping(path, keys["intents"][0], "'intents'"):
        if not _INTENT_NAME.match(name):
            raise DataFileError(path, f"intent name '{name}' must be lower_snake_case (a-z, 0-9, _)", line)
        if name == OUT_OF_SCOPE:
            raise DataFileError(path, f"'{OUT_OF_SCOPE}' is reserved: put those examples under top-level 'out_of_scope:'", line)
        fields = {key: (value, key_line) for key, value, key_line in _mapping(path, body, f"intent '{name}'")}
        for key, (_value, key_line) in fields.items():
            if key not in _INTENT_KEYS:
                raise DataFileError(
                    path, f"unknown key '{key}' in intent '{name}'; valid keys: {', '.join(sorted(_INTENT_KEYS))}", key_line
                )
        if "examples" not in fields:
            raise DataFileError(path, f"intent '{name}' has no 'examples:' list", line)
        tier = None
        if "tier" in fields:
            tier = _scalar(path, fields["tier"][0], f"the tier of '{name}'")
            if tier not in TIERS:
                raise DataFileError(path, f"tier '{tier}' of '{name}' is not one of {', '.join(TIERS)}", fields["tier"][1])
        description = _scalar(path, fields["description"][0], f"the description of '{name}'") if "description" in fields else ""
        intents[name] = IntentInfo(name=name, description=description.strip(), tier=tier)
        _examples(path, fields["examples"][0], name, examples)

    if "out_of_scope" in keys:
        oos_fields = {key: value for key, value, _line_no in _mapping(path, keys["out_of_scope"][0], "'out_of_scope'")}
        if "examples" not in oos_fields:
            raise DataFileError(path, "'out_of_scope' has no 'examples:' list", keys["out_of_scope"][1])
        _examples(path, oos_fields["examples"], OUT_OF_SCOPE, examples)

    if not intents:
        raise DataFileError(path, "'intents' is empty")
    _check_conflicts(path, examples)
    return LabelledData(source=path, examples=examples, intents=intents)


# --------------------------------------------------------------------------- CSV exports


def load_csv(path: Path, text_column: str = "text", label_column: str = "label") -> LabelledData:
    """Read a helpdesk export: one example per row, the text and label in named columns."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DataFileError(path, f"cannot open: {exc.strerror}") from exc
    examples: list[Example] = []
    with handle:
        try:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            for wanted, role in ((text_column, "text"), (label_column, "label")):
                if wanted not in columns:
                    found = ", ".join(repr(c) for c in columns) or "none (the file is empty)"
                    raise DataFileError(path, f"no {role} column '{wanted}'; the file's columns are: {found}", 1)
            for row in reader:
                line = reader.line_num
                text = (row.get(text_column) or "").strip()
                label = normalise_label(row.get(label_column) or "")
                if not label:
                    raise DataFileError(path, f"empty label in column '{label_column}'", line)
                if not text:
                    raise DataFileError(path, f"empty text in column '{text_column}'", line)
                examples.append(Example(text=text, label=label, line=line))
        except csv.Error as exc:
            raise DataFileError(path, f"malformed CSV: {exc}", reader.line_num) from exc
        except UnicodeDecodeError as exc:
            raise DataFileError(path, "not UTF-8 text") from exc
    if not examples:
        raise DataFileError(path, "no rows")
    _check_conflicts(path, examples)
    return LabelledData(source=path, examples=examples)


# --------------------------------------------------------------------------- shared checks


def _check_conflicts(path: Path, examples: Iterable[Example]) -> None:
    """The same text under two labels teaches the model nothing but noise: refuse it."""
    first: dict[str, Example] = {}
    for example in examples:
        key = " ".join(example.text.lower().split())
        earlier = first.setdefault(key, example)
        if earlier.label != example.label:
            raise DataFileError(
                path,
                f"'{example.text[:60]}' is labelled '{example.label}' here and '{earlier.label}' on line {earlier.line}",
                example.line,
            )


def require_examples_per_label(data: LabelledData, minimum: int) -> None:
    """Training splits each label into train and validation, so every label needs `minimum` examples."""
    counts = data.counts()
    for example in data.examples:
        if counts[example.label] < minimum:
            raise DataFileError(
                data.source,
                f"label '{example.label}' has {counts[example.label]} example(s); training needs at least {minimum} per label",
                example.line,
            )


Loader = Callable[..., LabelledData]
LOADERS: dict[str, Loader] = {".yaml": load_intents_yaml, ".yml": load_intents_yaml, ".csv": load_csv}


def load_data(path: Path | str, text_column: str = "text", label_column: str = "label") -> LabelledData:
    """Load labelled data by file type (registered in LOADERS)."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "no such file")
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DataFileError(path, f"unknown file type '{path.suffix}'; supported: {', '.join(sorted(LOADERS))}")
    if loader is load_csv:
        return load_csv(path, text_column=text_column, label_column=label_column)
    return loader(path)
