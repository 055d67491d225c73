"""The customer directory: file formats and their validation, key precedence, and a real CRM over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import Settings
from bot.core.crm_lookup import CrmLookup
from bot.core.directory import (
    CustomerDirectory,
    DirectoryEntry,
    DirectoryError,
    canonical_key,
    email_keys,
    load_directory,
    merge_profiles,
    person_key,
)
from bot.core.events import CustomerProfile, Person

ACME = CustomerProfile(company="Acme Corp", tier="enterprise", role="admin", account_value=120000.0)

CUSTOMERS_YAML = """\
customers:
  - company: Acme Corp
    tier: enterprise
    account_value: 120000
    role: admin            # optional default role
    match: [slack-team:T0ACME, email-domain:acme.com, slack-channel:C0SHARED]
  - company: Acme Corp     # one person's role: the company's entry fills in the rest
    role: owner
    match: [user:slack:U0ANA]
  - company: Beta GmbH
    tier: team
    account_value: 4800
    match:
      - email-domain:bücher.de
      - discord-guild:8035
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def directory(tmp_path: Path, text: str = CUSTOMERS_YAML, lookup: CrmLookup | None = None) -> CustomerDirectory:
    return CustomerDirectory(load_directory(write(tmp_path, "customers.yaml", text)), lookup, source="customers.yaml")


def profile(found: CustomerDirectory, *keys: str) -> CustomerProfile | None:
    return asyncio.run(found.profile(keys))


# Files ----------------------------------------------------------------------------------------------


def test_a_yaml_directory_answers_by_any_of_its_keys(tmp_path: Path) -> None:
    found = directory(tmp_path)
    assert profile(found, "slack-team:T0ACME") == ACME
    assert profile(found, "slack-channel:C0SHARED") == ACME
    assert profile(found, *email_keys("Ana@ACME.com")) == ACME
    assert profile(found, "discord-role:1", "discord-guild:8035") == CustomerProfile(
        "Beta GmbH", tier="team", account_value=4800.0
    )
    assert profile(found, "slack-team:T0OTHER", *email_keys("someone@gmail.com")) is None
    assert found.describe() == "directory: 2 companies from customers.yaml; CRM lookup off"


def test_a_csv_directory_with_keys_separated_by_semicolons_or_spaces(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "customers.csv",
        "\ufeffmatch,company,tier,account_value,role\n"  # spreadsheets write a byte-order mark
        "slack-team:T0ACME; email-domain:acme.com,Acme Corp,Enterprise,120000,admin\n"
        "\n"
        '"discord-guild:8035 discord-role:77","Beta, GmbH",team,,\n',
    )
    found = CustomerDirectory(load_directory(path), source=path.name)
    assert profile(found, "email-domain:acme.com") == ACME
    assert profile(found, "discord-role:77") == CustomerProfile("Beta, GmbH", tier="team")
    assert found.describe() == "directory: 2 companies from customers.csv; CRM lookup off"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (
            "customers:\n  - company: A\n    tier: gold\n    match: [slack-team:T1]\n",
            3,
            "tier 'gold' is not one of free, team, business, enterprise",
        ),
        (
            "customers:\n  - company: A\n    role: boss\n    match: [slack-team:T1]\n",
            3,
            "role 'boss' is not one of owner, admin, member, guest",
        ),
        (
            "customers:\n  - company: A\n    account_value: lots\n    match: [slack-team:T1]\n",
            3,
            "account_value 'lots' is not a number",
        ),
        (
            "customers:\n  - company: A\n    account_value: -5\n    match: [slack-team:T1]\n",
            3,
            "account_value '-5' is not a number ≥ 0",
        ),
        ("customers:\n  - company: A\n    match: [T0ACME]\n", 3, "key 'T0ACME' has no kind: prefix"),
        (
            "customers:\n  - company: A\n    match: [slack-workspace:T1]\n",
            3,
            "key 'slack-workspace:T1' has unknown kind 'slack-workspace'",
        ),
        (
            "customers:\n  - company: A\n    match: [discord-guild:acme]\n",
            3,
            "key 'discord-guild:acme' is not a valid discord-guild",
        ),
        ("customers:\n  - company: A\n    match: [email:not-an-address]\n", 3, "key 'email:not-an-address' is not a valid email"),
        ("customers:\n  - company: A\n    plan: gold\n    match: [slack-team:T1]\n", 3, "unknown field 'plan'"),
        ("customers:\n  - tier: free\n    match: [slack-team:T1]\n", 2, "no company"),
        ("customers:\n  - company: A\n", 2, "no match keys"),
        ("customers:\n  - company: A\n    match: {slack-team: T1}\n", 3, "match must be a list of keys"),
        (
            "customers:\n  - company: A\n    match: [email-domain:acme.com]\n  - company: B\n    match: [email-domain:ACME.com.]\n",
            4,
            "email-domain:acme.com is already matched by 'A' (",
        ),
        ("customers:\n  - company: A\n    match: [slack-team:T1\n", 4, "not valid YAML"),
        ("clients:\n  - company: A\n", 1, "expected only a top-level 'customers:' list"),
        ("customers:\n  - just a name\n", 1, "customer #1 is not a mapping"),
    ],
)
def test_every_yaml_problem_names_its_file_and_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = write(tmp_path, "customers.yaml", text)
    with pytest.raises(DirectoryError) as raised:
        load_directory(path)
    assert f"{path}:{line}: {problem}" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("match,company,plan\nslack-team:T1,A,gold\n", 1, "the columns must be match, company"),
        ("company,tier\nA,free\n", 1, "the columns must be match, company"),
        ("match,company,account_value\nslack-team:T1,A,120k\n", 2, "account_value '120k' is not a number"),
        ("match,company,tier\n\nslack-team:T1,A,gold\n", 3, "tier 'gold' is not one of"),
        ('match,company\nslack-team:T1,"A\nmultiline"\nT2,B\n', 4, "key 'T2' has no kind: prefix"),
        ("match,company\nslack-team:T1,A,extra\n", 2, "3 cells for 2 columns"),
        ("match,company\nslack-team:T1,A\nslack-team:t1,B\n", 3, "slack-team:T1 is already matched by 'A' ("),
    ],
)
def test_every_csv_problem_names_its_file_and_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = write(tmp_path, "customers.csv", text)
    with pytest.raises(DirectoryError) as raised:
        load_directory(path)
    assert f"{path}:{line}: {problem}" in str(raised.value)


def test_a_broken_directory_reports_every_problem_at_once_and_never_half_loads(tmp_path: Path) -> None:
    text = CUSTOMERS_YAML + "  - company: C\n    tier: gold\n    match: [slack-team:T0ACME, nokind]\n"
    path = write(tmp_path, "customers.yaml", text)
    with pytest.raises(DirectoryError) as raised:
        load_directory(path)
    message = str(raised.value)
    assert message.startswith("customer directory, 2 problems:")
    assert f"{path}:17: tier 'gold'" in message and f"{path}:18: key 'nokind' has no kind: prefix" in message
    with pytest.raises(DirectoryError, match=r"customers\.json: a customer directory is a \.yaml, \.yml, \.csv file"):
        load_directory(write(tmp_path, "customers.json", "{}"))


def test_ten_thousand_companies_load_into_an_index(tmp_path: Path) -> None:
    rows = "".join(f"slack-team:T{i};email-domain:c{i}.example,Company {i},business,{i},member\n" for i in range(10_000))
    csv_path = write(tmp_path, "big.csv", "match,company,tier,account_value,role\n" + rows)
    items = "".join(
        f"  - {{company: Company {i}, tier: team, account_value: {i}, match: [slack-team:T{i}]}}\n" for i in range(10_000)
    )
    yaml_path = write(tmp_path, "big.yaml", "customers:\n" + items)
    big_csv = CustomerDirectory(load_directory(csv_path), source=csv_path.name)
    big_yaml = CustomerDirectory(load_directory(yaml_path), source=yaml_path.name)
    assert profile(big_csv, "email-domain:c9999.example") == CustomerProfile(
        "Company 9999", tier="business", role="member", account_value=9999.0
    )
    assert profile(big_yaml, "slack-team:T4321") == CustomerProfile("Company 4321", tier="team", account_value=4321.0)
    assert big_csv.describe().startswith("directory: 10000 companies from big.csv")


# Keys and precedence -----------------------------------------------------------------------------------


def test_email_keys_are_lowercased_and_idn_safe() -> None:
    assert email_keys("  Ana@ACME.com ") == ("email:ana@acme.com", "email-domain:acme.com")
    assert email_keys("jörg@Bücher.DE") == ("email:jörg@xn--bcher-kva.de", "email-domain:xn--bcher-kva.de")
    assert email_keys("a@xn--bcher-kva.de")[1] == "email-domain:xn--bcher-kva.de"
    assert email_keys("not an address") == email_keys("ana@") == email_keys("@acme.com") == email_keys("ana@localhost") == ()
    assert canonical_key("email:ANA@Acme.COM") == "email:ana@acme.com"
    assert canonical_key("slack-team:t0acme") == "slack-team:T0ACME"
    assert canonical_key("user:Slack:U0ANA") == person_key(Person("slack", "U0ANA")) == "user:slack:U0ANA"


def test_an_idn_domain_in_the_file_matches_its_ascii_form_and_back(tmp_path: Path) -> None:
    found = directory(tmp_path)
    assert profile(found, *email_keys("kunde@XN--BCHER-KVA.de")) == profile(found, "email-domain:Bücher.de") is not None


def test_the_most_specific_key_wins_and_fills_in_from_its_own_company(tmp_path: Path) -> None:
    found = directory(tmp_path)
    ana = ("user:slack:U0ANA", *email_keys("ana@acme.com"), "slack-team:T0ACME")
    assert profile(found, *ana) == CustomerProfile("Acme Corp", tier="enterprise", role="owner", account_value=120000.0)
    # a Beta customer in a channel of Acme's workspace is Beta's: nothing of Acme's is mixed in
    beta = (*email_keys("kunde@bücher.de"), "slack-team:T0ACME")
    assert profile(found, *beta) == CustomerProfile("Beta GmbH", tier="team", account_value=4800.0)
    assert profile(found, "not a key", "slack-team:T0ACME") == ACME  # an adapter's malformed key is skipped


def test_explicit_profile_fields_override_the_directory() -> None:
    explicit = CustomerProfile(tier="business", email="ana@acme.com")
    assert merge_profiles(explicit, ACME) == CustomerProfile(
        "Acme Corp", tier="business", role="admin", account_value=120000.0, email="ana@acme.com"
    )
    assert (
        merge_profiles(None, ACME) == ACME and merge_profiles(explicit, None) == explicit and merge_profiles(None, None) is None
    )


def test_entries_built_in_code_are_checked_too() -> None:
    one = DirectoryEntry(("slack-team:T1",), CustomerProfile("A"), "a")
    with pytest.raises(DirectoryError, match="b: slack-team:T1 is already matched by 'A' \\(a\\)"):
        CustomerDirectory([one, DirectoryEntry(("slack-team:T1",), CustomerProfile("B"), "b")])


# The CRM ---------------------------------------------------------------------------------------------------


@dataclass
class Crm:
    url: str
    answers: Mapping[str, object]
    requests: list[str] = field(default_factory=list)
    auth: list[str | None] = field(default_factory=list)
    delay: float = 0.0


@asynccontextmanager
async def crm_server(answers: Mapping[str, object], delay: float = 0.0) -> AsyncIterator[Crm]:
    """A CRM on 127.0.0.1 that answers `answers[key]` (404 when absent) and counts requests."""
    crm = Crm("", answers, delay=delay)

    async def lookup(request: web.Request) -> web.StreamResponse:
        crm.requests.append(request.query["key"])
        crm.auth.append(request.headers.get("Authorization"))
        await asyncio.sleep(crm.delay)
        key = request.query["key"]
        if key not in crm.answers:
            return web.json_response({"error": "not found"}, status=404)
        answer = crm.answers[key]
        return answer if isinstance(answer, web.StreamResponse) else web.json_response(answer)

    app = web.Application()
    app.router.add_get("/lookup", lookup)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    crm.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/lookup"  # type: ignore[union-attr]
    try:
        yield crm
    finally:
        await runner.cleanup()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


BETA = {"company": "Beta GmbH", "tier": "business", "account_value": 30000, "role": "member", "crm_id": "0015g00000X"}


def test_the_crm_is_asked_most_specific_key_first_and_stops_at_the_first_it_knows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_TOKEN", "s3cret-crm-token")

    async def scenario() -> None:
        async with crm_server({"email-domain:beta.io": BETA, "slack-team:T0BETA": {"company": "wrong"}}) as crm:
            lookup = CrmLookup(crm.url, {"Authorization": "Bearer ${CRM_TOKEN}"})
            found = directory(tmp_path, lookup=lookup)
            keys = ("user:slack:U0KIM", *email_keys("kim@beta.io"), "slack-team:T0BETA")
            assert await found.profile(keys) == CustomerProfile(
                "Beta GmbH", tier="business", role="member", account_value=30000.0
            )
            assert crm.requests == ["user:slack:U0KIM", "email:kim@beta.io", "email-domain:beta.io"]
            assert set(crm.auth) == {"Bearer s3cret-crm-token"}
            assert await found.profile(["slack-team:T0ACME", "email-domain:beta.io"]) == ACME  # the file first: no request
            assert len(crm.requests) == 3
            assert found.describe() == "directory: 2 companies from customers.yaml; CRM lookup on (cache 300 s)"

    asyncio.run(scenario())


def test_unknown_customers_404_or_empty_answers_are_none(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with crm_server({"email-domain:empty.io": {}}) as crm:
            found = CustomerDirectory(lookup=CrmLookup(crm.url))
            assert await found.profile(email_keys("x@empty.io")) is None
            assert await found.profile(["discord-guild:42"]) is None
            assert await found.profile([]) is None and await found.profile(["garbage"]) is None
            assert crm.requests == ["email:x@empty.io", "email-domain:empty.io", "discord-guild:42"]

    asyncio.run(scenario())


def test_hits_and_misses_are_cached_until_they_expire() -> None:
    clock = Clock()

    async def scenario() -> None:
        async with crm_server({"email-domain:beta.io": BETA}) as crm:
            found = CustomerDirectory(lookup=CrmLookup(crm.url, cache_seconds=300, clock=clock))
            keys = email_keys("kim@beta.io")
            first = await found.profile(keys)
            assert await found.profile(keys) == first is not None
            assert await found.profile(["discord-guild:42"]) is None
            assert await found.profile(["discord-guild:42"]) is None
            assert crm.requests == ["email:kim@beta.io", "email-domain:beta.io", "discord-guild:42"]  # one each
            clock.now += 299
            await found.profile(keys)
            assert len(crm.requests) == 3
            clock.now += 2
            await found.profile(keys)
            assert crm.requests[3:] == ["email:kim@beta.io", "email-domain:beta.io"]

    asyncio.run(scenario())


def test_the_cache_is_a_bounded_lru() -> None:
    async def scenario() -> None:
        async with crm_server({}) as crm:
            lookup = CrmLookup(crm.url, max_entries=2)
            for key in (
                "discord-guild:1",
                "discord-guild:2",
                "discord-guild:1",
                "discord-guild:3",
                "discord-guild:1",
                "discord-guild:2",
            ):
                await lookup.find([key])
            assert crm.requests == ["discord-guild:1", "discord-guild:2", "discord-guild:3", "discord-guild:2"]

    asyncio.run(scenario())


def test_a_slow_crm_falls_back_within_the_timeout_and_never_logs_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CRM_TOKEN", "s3cret-crm-token")
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        async with crm_server({"email-domain:beta.io": BETA}, delay=1.0) as crm:
            lookup = CrmLookup(crm.url, {"Authorization": "Bearer ${CRM_TOKEN}"}, timeout_seconds=0.2)
            found = directory(tmp_path, lookup=lookup)
            started = time.monotonic()
            assert await found.profile(email_keys("kim@beta.io")) is None
            assert time.monotonic() - started < 0.8
            assert await found.profile(["slack-team:T0ACME"]) == ACME  # the file still answers
            started = time.monotonic()
            assert await found.profile(email_keys("lee@gamma.io")) is None  # paused after the failure: no wait, no request
            assert time.monotonic() - started < 0.1 and len(crm.requests) == 1
            assert "s3cret" not in repr(lookup)

    asyncio.run(scenario())
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().split()[0] for r in warnings] == ["directory.crm_unavailable"]
    assert "no answer within 0.2 s" in warnings[0].getMessage()
    assert "s3cret-crm-token" not in caplog.text


def test_a_failing_or_unreachable_crm_is_a_warning_and_an_unknown_customer(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with crm_server(
            {"discord-guild:1": web.Response(status=500), "discord-guild:2": web.Response(text="<html>")}
        ) as crm:
            for key in ("discord-guild:1", "discord-guild:2"):
                assert await CustomerDirectory(lookup=CrmLookup(crm.url)).profile([key]) is None
        assert await CustomerDirectory(lookup=CrmLookup(crm.url)).profile(["discord-guild:3"]) is None  # server gone

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
    reasons = [r.getMessage() for r in caplog.records]
    assert len(reasons) == 3 and all(m.startswith("directory.crm_unavailable") for m in reasons)
    assert "HTTP 500" in reasons[0] and "not JSON" in reasons[1] and "ClientConnectorError" in reasons[2]


def test_a_bad_field_from_the_crm_is_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> CustomerProfile | None:
        async with crm_server({"slack-team:T9": {"company": "Gamma", "tier": "gold", "account_value": "12.5k"}}) as crm:
            return await CustomerDirectory(lookup=CrmLookup(crm.url)).profile(["slack-team:T9"])

    assert asyncio.run(scenario()) == CustomerProfile("Gamma")
    assert {r.getMessage().split()[1] for r in caplog.records if r.levelno == logging.WARNING} == {
        "field=tier",
        "field=account_value",
    }


# Settings ----------------------------------------------------------------------------------------------


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_from_settings_loads_the_file_and_the_crm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TOKEN", "s3cret-crm-token")
    path = write(tmp_path, "customers.yaml", CUSTOMERS_YAML)
    assert CustomerDirectory.from_settings(settings()).describe() == "directory: no file; CRM lookup off"
    configured = settings(
        customer_directory=path,
        crm_url="https://crm.example/lookup",
        crm_headers='{"Authorization": "Bearer ${CRM_TOKEN}"}',
        crm_cache_seconds=60,
    )
    assert (
        CustomerDirectory.from_settings(configured).describe()
        == "directory: 2 companies from customers.yaml; CRM lookup on (cache 60 s)"
    )


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"crm_url": "crm.example/lookup"}, "SUPPORTBOT_CRM_URL must be an http(s) URL"),
        ({"crm_url": "https://crm.example", "crm_headers": "Bearer x"}, "SUPPORTBOT_CRM_HEADERS is not valid JSON"),
        ({"crm_url": "https://crm.example", "crm_headers": '["a"]'}, "SUPPORTBOT_CRM_HEADERS must be a JSON object"),
        (
            {"crm_url": "https://crm.example", "crm_headers": '{"Authorization": "Bearer ${CRM_UNSET_TOKEN}"}'},
            "SUPPORTBOT_CRM_HEADERS: header 'Authorization' needs environment variable CRM_UNSET_TOKEN, which is not set",
        ),
        (
            {"customer_directory": Path("/nonexistent/customers.yaml")},
            "/nonexistent/customers.yaml: cannot read the customer directory",
        ),
    ],
)
def test_a_broken_setting_fails_the_start_clearly(values: dict[str, object], problem: str) -> None:
    with pytest.raises(DirectoryError) as raised:
        CustomerDirectory.from_settings(settings(**values))
    assert problem in str(raised.value)
