"""Who a customer is (company, plan tier, role, yearly account value), from platform-neutral keys.

Adapters know only platform identities; the business rules and ticket priority need the account. An adapter
derives keys, most specific first, and the directory answers from an admin-kept file and, optionally, a CRM
(bot.core.crm_lookup). Keys are `kind:value` (see KEY_KINDS), e.g. `user:slack:U0123`, `email:ana@acme.com`,
`email-domain:acme.com`, `slack-channel:C0456` (a Slack Connect channel shared with one company),
`slack-team:T0123`, `discord-role:1234`, `discord-guild:8035`; `email_keys` and `person_key` derive the common ones.

Precedence, in `CustomerDirectory.profile(keys)`:
- The file first: the entry matched by the most specific key wins; fields it leaves unset are filled from
  less specific matches of the same company (a `user:` entry can give one person's role, the company's entry
  the tier). The CRM is asked only about customers the file does not know: the file is the admin's override.
- Then the CRM, most specific key first, stopping at the first key it knows.
- Unknown customers get None: they still get answers, with the policy's defaults.

For the core: a `CustomerMessage.profile` the adapter filled in is explicit and wins field by field over
the directory: `merge_profiles(message.profile, await directory.profile(message.directory_keys))`.
"""

from __future__ import annotations

import csv
import functools
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from bot.core.crm_lookup import CrmLookup, read_profile
from bot.core.events import CustomerProfile, Person

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger("supportbot.directory")

FIELDS = ("match", "company", "tier", "account_value", "role")
MAX_PROBLEMS_SHOWN = 20


class DirectoryError(Exception):
    """A customer directory that cannot be used: every problem as `file:line: problem`. The start fails."""


# Keys ---------------------------------------------------------------------------------------------


def _domain(value: str) -> str | None:
    """Lowercase ASCII (IDNA) form, so `bücher.de` and `xn--bcher-kva.de` are one key."""
    try:
        ascii_form = value.strip().rstrip(".").lower().encode("idna").decode("ascii")
    except UnicodeError:
        return None
    label = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    return ascii_form if len(ascii_form) <= 253 and re.fullmatch(rf"(?:{label}\.)+{label}", ascii_form) else None


def _email(value: str) -> str | None:
    local, at, domain = value.strip().rpartition("@")
    canonical = _domain(domain)
    if not at or not local or canonical is None or re.search(r"[\s@]", local):
        return None
    return f"{local.lower()}@{canonical}"


def _pattern(regex: str, upper: bool = False) -> Callable[[str], str | None]:
    def canonical(value: str) -> str | None:
        value = value.strip().upper() if upper else value.strip()
        return value if re.fullmatch(regex, value) else None

    return canonical


def _platform_user(value: str) -> str | None:
    found = re.fullmatch(r"([A-Za-z]+):(\S+)", value.strip())
    return f"{found[1].lower()}:{found[2]}" if found else None


_slack_id, _snowflake = _pattern(r"[A-Z0-9]+", upper=True), _pattern(r"[0-9]{1,20}")


@dataclass(frozen=True)
class KeyKind:
    """One kind of key: what it names and its canonical value (None: malformed), so file and adapter agree."""

    names: str
    example: str
    canonical: Callable[[str], str | None]


KEY_KINDS: dict[str, KeyKind] = {
    "user": KeyKind("one person on one platform", "user:slack:U0123ABCD", _platform_user),
    "email": KeyKind("one email address", "email:ana@acme.com", _email),
    "email-domain": KeyKind("everyone with an address at a domain", "email-domain:acme.com", _domain),
    "slack-channel": KeyKind("a Slack Connect channel shared with one company", "slack-channel:C0456", _slack_id),
    "slack-team": KeyKind("a Slack workspace", "slack-team:T0123", _slack_id),
    "discord-role": KeyKind("a Discord role", "discord-role:1234", _snowflake),
    "discord-guild": KeyKind("a Discord server", "discord-guild:8035", _snowflake),
}


def canonical_key(key: str) -> str:
    """The key as the index holds it; a ValueError says what is wrong with it."""
    kind, colon, value = key.strip().partition(":")
    if not colon or not kind:
        raise ValueError(f"key '{key}' has no kind: prefix (e.g. slack-team:T0123, email-domain:acme.com)")
    if kind not in KEY_KINDS:
        raise ValueError(f"key '{key}' has unknown kind '{kind}'; known: {', '.join(KEY_KINDS)}")
    canonical = KEY_KINDS[kind].canonical(value)
    if canonical is None:
        raise ValueError(f"key '{key}' is not a valid {kind} ({KEY_KINDS[kind].names}, e.g. {KEY_KINDS[kind].example})")
    return f"{kind}:{canonical}"


def email_keys(email: str) -> tuple[str, ...]:
    """`email:…` then `email-domain:…`, lowercased and IDNA-encoded; () when it is not an address."""
    canonical = _email(email)
    return (f"email:{canonical}", f"email-domain:{canonical.rpartition('@')[2]}") if canonical else ()


def person_key(person: Person) -> str:
    return f"user:{person.key}"


# Profiles -----------------------------------------------------------------------------------------


def merge_profiles(primary: CustomerProfile | None, fallback: CustomerProfile | None) -> CustomerProfile | None:
    """Each field from `primary` when it has it, else from `fallback`: explicit values override found ones."""
    return _fill(primary, fallback) if primary and fallback else primary or fallback


def _fill(primary: CustomerProfile, fallback: CustomerProfile) -> CustomerProfile:
    values = {f.name: getattr(primary, f.name) for f in fields(CustomerProfile)}
    return CustomerProfile(**{name: getattr(fallback, name) if value is None else value for name, value in values.items()})


# The directory ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryEntry:
    keys: tuple[str, ...]  # canonical (canonical_key)
    profile: CustomerProfile  # company always set
    where: str = ""  # `file:line`, for messages


class ProfileLookup(Protocol):
    async def find(self, keys: Sequence[str]) -> CustomerProfile | None: ...

    def describe(self) -> str: ...


def index_entries(entries: Iterable[DirectoryEntry]) -> tuple[dict[str, DirectoryEntry], list[str]]:
    """Key -> entry, and a problem for each key two entries claim (one key, one company)."""
    index: dict[str, DirectoryEntry] = {}
    problems = []
    for entry in entries:
        for key in entry.keys:
            other = index.setdefault(key, entry)
            if other is not entry:
                problems.append(f"{entry.where}: {key} is already matched by '{other.profile.company}' ({other.where})")
    return index, problems


def raise_problems(problems: list[str]) -> None:
    """One DirectoryError for all of them (the first MAX_PROBLEMS_SHOWN), so one edit fixes the file."""
    if len(problems) == 1:
        raise DirectoryError(f"customer directory: {problems[0]}")
    if problems:
        more = [f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more"] if len(problems) > MAX_PROBLEMS_SHOWN else []
        raise DirectoryError(
            f"customer directory, {len(problems)} problems:\n  " + "\n  ".join(problems[:MAX_PROBLEMS_SHOWN] + more)
        )


class CustomerDirectory:
    """The file's entries, indexed by key (a dict: 10,000 companies cost one lookup per key), and the CRM."""

    def __init__(
        self, entries: Iterable[DirectoryEntry] = (), lookup: ProfileLookup | None = None, *, source: str | None = None
    ) -> None:
        entries = list(entries)
        self._index, problems = index_entries(entries)
        raise_problems(problems)
        self._lookup = lookup
        self._source = source
        self._companies = len({entry.profile.company for entry in entries})

    @classmethod
    def from_settings(cls, settings: Settings) -> CustomerDirectory:
        """The file and CRM the settings name; a broken one raises DirectoryError, so the start fails clearly."""
        path = settings.customer_directory.expanduser() if settings.customer_directory else None
        lookup = None
        if settings.crm_url:
            try:
                lookup = CrmLookup.configure(
                    settings.crm_url,
                    settings.crm_headers,
                    timeout_seconds=settings.crm_timeout_seconds,
                    cache_seconds=settings.crm_cache_seconds,
                )
            except ValueError as exc:
                raise DirectoryError(str(exc)) from None
        return cls(load_directory(path) if path else (), lookup, source=path.name if path else None)

    def describe(self) -> str:
        """One line for /status."""
        file_part = f"{self._companies} companies from {self._source}" if self._source else "no file"
        return f"directory: {file_part}; {self._lookup.describe() if self._lookup else 'CRM lookup off'}"

    async def profile(self, keys: Sequence[str]) -> CustomerProfile | None:
        """What is known about the customer these keys (most specific first) describe; None when nothing."""
        wanted = list(dict.fromkeys(key for key in map(_canonical_or_none, keys) if key is not None))
        matches = [self._index[key] for key in wanted if key in self._index]
        if matches:
            company = matches[0].profile.company
            return functools.reduce(_fill, (entry.profile for entry in matches if entry.profile.company == company))
        return await self._lookup.find(wanted) if self._lookup and wanted else None


def _canonical_or_none(key: str) -> str | None:
    try:
        return canonical_key(key)
    except ValueError:
        log.debug("directory.key_ignored key=%r", key)
        return None


# Files --------------------------------------------------------------------------------------------

Row = tuple[Mapping[str, Any], Callable[[str], str]]  # a row's fields, and the `file:line` of a field ("" for the row)


class _Located(dict[str, Any]):
    """A YAML mapping that remembers its line and each key's, so a problem names the line it is on."""

    def __init__(self, pairs: list[tuple[str, Any]], line: int, key_lines: dict[str, int]) -> None:
        super().__init__(pairs)
        self.line = line
        self.key_lines = key_lines


_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed: several times faster


def _plain(node: yaml.Node) -> Any:
    """A composed YAML node as plain values, mappings with their lines. Scalars stay text (the fields parse
    them): skipping PyYAML's constructors halves the load of a 10,000-company file."""
    if isinstance(node, yaml.MappingNode):
        pairs = [(str(key.value), _plain(value)) for key, value in node.value]
        return _Located(pairs, node.start_mark.line + 1, {str(key.value): key.start_mark.line + 1 for key, _ in node.value})
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    return None if node.tag == "tag:yaml.org,2002:null" else node.value


def _lines_of(path: Path, item: _Located) -> Callable[[str], str]:
    return lambda name: f"{path}:{item.key_lines.get(name, item.line)}"


def _one_line(where: str) -> Callable[[str], str]:
    return lambda _name: where


def _yaml_rows(path: Path, text: str, problems: list[str]) -> list[Row]:
    try:
        composed = yaml.compose(text, Loader=_YamlLoader)
        document = _plain(composed) if composed is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DirectoryError(f"{path}:{mark.line + 1 if mark else 1}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:  # `&a [*a]`: an alias inside itself, or nesting no directory needs
        raise DirectoryError(f"{path}:1: not valid YAML: nested too deeply (or an alias that contains itself)") from None
    if not isinstance(document, _Located) or set(document) != {"customers"} or not isinstance(document["customers"], list):
        raise DirectoryError(f"{path}:1: expected only a top-level 'customers:' list of companies")
    rows: list[Row] = []
    for number, item in enumerate(document["customers"], start=1):
        if not isinstance(item, _Located):
            problems.append(
                f"{path}:{document.key_lines['customers']}: customer #{number} is not a mapping (company:, match:, …)"
            )
            continue
        rows.append((item, _lines_of(path, item)))
    return rows


def _csv_rows(path: Path, text: str, problems: list[str]) -> list[Row]:
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as exc:
        raise DirectoryError(f"{path}:1: not valid CSV: {exc}") from None
    wrong = [name for name in header if name not in FIELDS or header.count(name) > 1]
    if wrong or not {"match", "company"} <= set(header):
        raise DirectoryError(f"{path}:1: the columns must be match, company and any of tier, account_value, role (got {header})")
    rows: list[Row] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            where, line = f"{path}:{line}", reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                problems.append(f"{where}: {len(cells)} cells for {len(header)} columns")
                continue
            rows.append((dict(zip(header, (cell.strip() for cell in cells), strict=False)), _one_line(where)))
    except csv.Error as exc:  # a field over csv's size limit (an unclosed quote swallowing the rest of the file)
        raise DirectoryError(f"{path}:{line}: not valid CSV: {exc}") from None
    return rows


FILE_READERS: dict[str, Callable[[Path, str, list[str]], list[Row]]] = {
    ".yaml": _yaml_rows,
    ".yml": _yaml_rows,
    ".csv": _csv_rows,
}


def _match_keys(value: object) -> list[str] | None:
    """`match` as a list of keys or one text of keys separated by `;` or spaces; None when it is neither."""
    if isinstance(value, str):
        return [key for key in re.split(r"[;\s]+", value) if key]
    if isinstance(value, list) and all(isinstance(key, str) for key in value):
        return value
    return None


def _entry(raw: Mapping[str, Any], at: Callable[[str], str], problems: list[str]) -> DirectoryEntry | None:
    before = len(problems)
    problems += [f"{at(name)}: unknown field '{name}'; valid: {', '.join(FIELDS)}" for name in raw if name not in FIELDS]
    profile = read_profile(raw, lambda name, problem: problems.append(f"{at(name)}: {problem}"))
    if raw.get("company") in (None, ""):
        problems.append(f"{at('')}: no company")
    keys = _match_keys(raw.get("match") or [])
    if keys is None:
        problems.append(f"{at('match')}: match must be a list of keys (e.g. [slack-team:T0123, email-domain:acme.com])")
    elif not keys:
        problems.append(f"{at('')}: no match keys (e.g. match: [slack-team:T0123, email-domain:acme.com])")
    canonical = []
    for key in keys or []:
        try:
            canonical.append(canonical_key(key))
        except ValueError as exc:
            problems.append(f"{at('match')}: {exc}")
    return DirectoryEntry(tuple(dict.fromkeys(canonical)), profile, at("")) if len(problems) == before else None


def load_directory(path: Path) -> list[DirectoryEntry]:
    """Every entry of a YAML or CSV directory, or a DirectoryError listing every problem: never half a directory.

    YAML: `customers:`, a list of {company, tier, account_value, role, match: [keys]}. CSV: a header row of
    those columns (match and company required), `match` keys separated by `;` or spaces. Only company and
    match are required; `role` is the company's default, a `user:` entry can give one person theirs.
    """
    reader = FILE_READERS.get(path.suffix.lower())
    if reader is None:
        raise DirectoryError(f"{path}: a customer directory is a {', '.join(FILE_READERS)} file")
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: spreadsheets export CSV with a byte-order mark
    except (OSError, UnicodeError) as exc:
        raise DirectoryError(f"{path}: cannot read the customer directory: {exc}") from None
    problems: list[str] = []
    entries = [entry for raw, at in reader(path, text, problems) if (entry := _entry(raw, at, problems)) is not None]
    problems += index_entries(entries)[1]
    raise_problems(problems)
    return entries
