"""Routing rules, pure: skill, working hours across time zones, the cap, load, round-robin, the group,
nobody; and the agents file refused with the file, the setting and the agent named."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.roster import Roster, RosterError, load_roster
from bot.core.routing import Workload, route

MONDAY = dt.date(2026, 11, 30)  # a Monday
AGENTS = """
groups:
  billing: {intents: [refund_request, billing_question], mention: "@billing-team", slack_group: S0BILLING}
  security: {intents: [sso_setup]}
agents:
  - id: slack:U0SAM01
    name: Sam
    groups: [billing]
    intents: [data_export]
    languages: [en, de]
    hours: {tz: Europe/Berlin, days: mon-fri, from: "09:00", to: "17:30"}
    max_open: 2
  - id: slack:U0KIM01
    name: Kim
    groups: [billing, security]
    languages: [en]
    hours: {tz: America/New_York, days: mon-fri, from: "08:00", to: "16:00"}
  - id: discord:803511102246789120
    name: Ana
    intents: [github_integration]
    hours: {tz: Asia/Tokyo, days: sun-thu, from: "22:00", to: "06:00"}
"""
IDLE = Workload({}, {})


def roster(tmp_path: Path, text: str = AGENTS) -> Roster:
    path = tmp_path / "agents.yaml"
    path.write_text(text, encoding="utf-8")
    return load_roster(path)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def who(tmp_path: Path, intent: str, now: dt.datetime, load: Workload = IDLE, language: str | None = None) -> str:
    found = route(intent, language, now, roster(tmp_path), load)
    return found.agent.name if found.agent else (found.group.label if found.group else "nobody")


def test_skill_comes_from_the_agents_groups_and_their_own_intents(tmp_path: Path) -> None:
    both_in = at(MONDAY, 14)  # 15:00 in Berlin, 09:00 in New York
    assert who(tmp_path, "sso_setup", both_in) == "Kim"  # only Kim is in security
    assert who(tmp_path, "data_export", both_in) == "Sam"  # Sam's own skill
    assert who(tmp_path, "refund_request", both_in) in ("Sam", "Kim")


def test_working_hours_are_read_in_each_agents_time_zone(tmp_path: Path) -> None:
    assert who(tmp_path, "refund_request", at(MONDAY, 8)) == "Sam"  # 09:00 Berlin; 03:00 New York
    assert who(tmp_path, "refund_request", at(MONDAY, 19)) == "Kim"  # 20:00 Berlin; 14:00 New York
    assert who(tmp_path, "refund_request", at(MONDAY + dt.timedelta(days=5), 12)) == "@billing-team"  # Saturday


def test_a_shift_past_midnight_counts_from_the_day_it_started(tmp_path: Path) -> None:
    assert who(tmp_path, "github_integration", at(MONDAY, 14)) == "Ana"  # Monday 23:00 in Tokyo
    assert who(tmp_path, "github_integration", at(MONDAY + dt.timedelta(days=3), 20)) == "Ana"  # Fri 05:00: Thursday's shift
    assert who(tmp_path, "github_integration", at(MONDAY + dt.timedelta(days=4), 20)) == "nobody"  # Sat 05:00: no Friday shift


def test_an_agent_at_their_cap_gets_no_more(tmp_path: Path) -> None:
    both_in = at(MONDAY, 14)
    assert who(tmp_path, "refund_request", both_in, Workload({"slack:U0SAM01": 2, "slack:U0KIM01": 5}, {})) == "Kim"
    full = Workload({"slack:U0SAM01": 2}, {})
    assert who(tmp_path, "data_export", both_in, full) == "nobody"  # Sam alone has it, and no group does
    found = route("data_export", None, both_in, roster(tmp_path), full)
    assert found.reason == "no data_export agent available now (1 at their cap), and no group does"


def test_the_least_loaded_agent_wins(tmp_path: Path) -> None:
    both_in = at(MONDAY, 14)
    assert who(tmp_path, "refund_request", both_in, Workload({"slack:U0SAM01": 1}, {})) == "Kim"
    assert who(tmp_path, "refund_request", both_in, Workload({"slack:U0KIM01": 1}, {})) == "Sam"


def test_equal_load_goes_round_robin_by_who_was_routed_to_least_recently(tmp_path: Path) -> None:
    both_in = at(MONDAY, 14)
    never = route("refund_request", None, both_in, roster(tmp_path), IDLE)
    assert never.agent is not None and never.agent.name == "Sam" and never.reason.endswith("next in turn")
    sam_last = Workload(
        {}, {"slack:U0SAM01": both_in - dt.timedelta(minutes=1), "slack:U0KIM01": both_in - dt.timedelta(hours=1)}
    )
    assert who(tmp_path, "refund_request", both_in, sam_last) == "Kim"
    kim_last = Workload(
        {}, {"slack:U0SAM01": both_in - dt.timedelta(hours=1), "slack:U0KIM01": both_in - dt.timedelta(minutes=1)}
    )
    assert who(tmp_path, "refund_request", both_in, kim_last) == "Sam"


def test_nobody_skilled_available_falls_back_to_the_group_then_nobody(tmp_path: Path) -> None:
    night = at(MONDAY, 23)  # 00:00 Berlin, 18:00 New York
    found = route("refund_request", None, night, roster(tmp_path), IDLE)
    assert found.agent is None and found.group is not None
    assert found.reason == "no refund_request agent available now (2 off hours): the billing group"
    routed = found.routed()
    assert (routed.target, routed.label, routed.mentions) == ("group:billing", "@billing-team", ("slack-group:S0BILLING",))
    nobody = route("bug_report", None, night, roster(tmp_path), IDLE)
    assert (nobody.agent, nobody.group, nobody.reason) == (None, None, "no agent handles bug_report, and no group does")
    assert nobody.routed().target is None


def test_the_customers_language_narrows_the_skilled_agents(tmp_path: Path) -> None:
    both_in = at(MONDAY, 14)
    assert who(tmp_path, "refund_request", both_in, Workload({"slack:U0SAM01": 1}, {}), language="de") == "Sam"
    in_french = route("sso_setup", "fr", both_in, roster(tmp_path), IDLE)  # Kim speaks English only
    assert in_french.agent is None and in_french.routed().label == "@security"  # the default mention: @ and the name
    assert in_french.reason == "no agent handles sso_setup in fr: the security group"


def test_an_unquoted_time_is_read_as_the_clock_time(tmp_path: Path) -> None:
    loaded = roster(tmp_path, "agents:\n  - {id: 'slack:U0X01', hours: {from: 9:00, to: 17:30}}\n")
    hours = loaded.agents[0].hours
    assert hours is not None and (hours.start, hours.end) == (dt.time(9), dt.time(17, 30))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "agents:\n  - {id: 'slack:U0X01', hours: {tz: Europe/Berln}}\n",
            "agents.0 (slack:U0X01).hours.tz: Value error, unknown time zone 'Europe/Berln'",
        ),
        ("agents:\n  - {id: 'slack:U0X01', groups: [biling]}\n", "agents.0 (slack:U0X01).groups: no group 'biling'"),
        ("agents:\n  - {id: 'U0X01'}\n", "agents.0 (U0X01).id: Value error, 'U0X01' is not platform:user_id"),
        ("agents:\n  - {id: 'slack:<!channel>'}\n", "'<!channel>' is not a slack user id"),
        ("agents:\n  - {id: 'slack:U0X01', max_open: 0}\n", "agents.0 (slack:U0X01).max_open"),
        ("agents:\n  - {id: 'slack:U0X01', hours: {days: mon-fry}}\n", "'mon-fry' is not a day"),
        ("agents:\n  - {id: 'slack:U0X01', hours: {from: '25:00'}}\n", "'25:00' is not a time of day"),
        ("agents:\n  - {id: 'slack:U0X01'}\n  - {id: 'slack:U0X01'}\n", "agents.1 (slack:U0X01): listed twice"),
        ("groups:\n  billing: {intents: [x], discord_role: '@everyone'}\n", "groups.billing.discord_role"),
        ("agents:\n  - {id: 'slack:U0X01', skills: [x]}\n", "agents.0 (slack:U0X01).skills: Extra inputs are not permitted"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_a_bad_agents_file_is_refused_naming_the_file_and_setting(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RosterError, match=re.escape(message)) as refused:
        roster(tmp_path, text)
    assert str(tmp_path / "agents.yaml") in str(refused.value)


def test_skills_must_be_the_models_intents(tmp_path: Path, intent_names: list[str]) -> None:
    roster(tmp_path).check_intents(set(intent_names))
    typo = roster(tmp_path, "groups:\n  billing: {intents: [refund_requst]}\n")
    with pytest.raises(RosterError, match="unknown intents: refund_requst; valid: "):
        typo.check_intents(set(intent_names))


def test_the_bundled_example_loads_against_the_bundled_model(intent_names: list[str]) -> None:
    example = load_roster(Path(__file__).resolve().parents[2] / "examples" / "agents.yaml")
    example.check_intents(set(intent_names))
    assert example.agents and example.groups


SNIPPETS = st.sampled_from(
    ["groups:", "agents:", "  - id: slack:U0X01", "    hours: {tz: UTC, from: '9:00', to: 17:30}", "  billing:",
     "    intents: [a, b]", "    max_open: -1", "  - {id: 'discord:1', groups: [x]}", "    days: sun-sat", ": :", "\t", "'"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, database=None)
@given(lines=st.lists(st.one_of(SNIPPETS, st.text(max_size=20)), max_size=8))
def test_any_file_gives_a_roster_or_a_roster_error(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("roster") / "agents.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        loaded = load_roster(path)
    except RosterError as exc:
        assert str(path) in str(exc)
        return
    assert isinstance(loaded, Roster)
