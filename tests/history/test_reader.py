"""Reading ticket-history exports: each helpdesk's layout maps to the same tickets, a bad row is skipped with
`path:line: why`, a file that cannot be used says what it has and what was expected, and the shipped sample
is realistic enough for an audit to find topics the bundled intents do not cover."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.cli import USER_ERRORS
from bot.history.cli_args import add_history_arguments, load_from_args
from bot.history.errors import HistoryFileError
from bot.history.mappings import PRESETS, detect_preset, parse_map
from bot.history.reader import load_history
from bot.history.tickets import HistoricalTicket
from bot.history.values import parse_csat, parse_datetime, parse_duration

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "history" / "orbitask_tickets.csv"
ZENDESK_SAMPLE = REPO / "examples" / "history" / "orbitask_zendesk_sample.csv"

NATIVE_CSV = """id,created_at,first_response_at,resolved_at,subject,body,agent_reply,category,tags,plan,csat,agent
101,2026-11-02T09:00:00Z,2026-11-02T09:30:00Z,2026-11-02T12:00:00Z,Reset link,The reset email never arrives.,Check spam.,Password_Reset,"password, email",Business,5,Maya Okafor
102,2026-11-02 10:15,,,Dark mode?,,,,feature_request,free,,
103,2026-11-03T08:00:00+01:00,2026-11-03T08:10:00+01:00,,Invoice,"Need the October invoice
for our accountant.",Settings > Billing > Invoices.,invoice_copy,,Enterprise (yearly),2,Priya Nair
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_native_csv_maps_every_field(tmp_path: Path) -> None:
    history = load_history(write(tmp_path, "tickets.csv", NATIVE_CSV))
    assert history.mapping.preset == "native" and history.skipped == ()
    first, second, third = history.tickets
    assert first == HistoricalTicket(
        ticket_id="101",
        created_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        first_response_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        resolved_at=datetime(2026, 11, 2, 12, tzinfo=UTC),
        subject="Reset link",
        body="The reset email never arrives.",
        agent_reply="Check spam.",
        category="password_reset",
        tags=("password", "email"),
        plan="business",
        csat=5,
        agent="Maya Okafor",
        source_line=2,
    )
    assert first.first_response_time == timedelta(minutes=30) and first.resolution_time == timedelta(hours=3)
    assert second.created_at == datetime(2026, 11, 2, 10, 15, tzinfo=UTC)  # naive means UTC
    assert second.agent_reply == "" and second.category is None and second.csat is None and second.agent is None
    assert second.resolution_time is None
    assert second.text == "Dark mode?"
    assert third.created_at == datetime(2026, 11, 3, 7, tzinfo=UTC) and third.plan == "enterprise"
    assert third.text == "Invoice\n\nNeed the October invoice\nfor our accountant."
    assert third.source_line == 4


def test_json_lines_and_json_arrays_read_like_the_csv(tmp_path: Path) -> None:
    rows = [
        {
            "id": 7,
            "created_at": 1_793_000_000,
            "subject": "Help",
            "body": "Where are invoices?",
            "tags": ["billing", "Invoice"],
            "csat": 4,
        },
        {
            "id": 8,
            "created_at": "2026-11-20T10:00:00Z",
            "subject": "",
            "body": "Export to CSV?",
            "csat": None,
            "extra": {"nested": True},
        },
    ]
    lines = write(tmp_path, "tickets.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    array = write(tmp_path, "tickets.json", "[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
    for path, lines_at in ((lines, (1, 2)), (array, (2, 3))):
        history = load_history(path)
        assert [t.ticket_id for t in history.tickets] == ["7", "8"]
        assert [t.source_line for t in history.tickets] == list(lines_at)
        assert history.tickets[0].created_at == datetime.fromtimestamp(1_793_000_000, UTC)
        assert history.tickets[0].tags == ("billing", "invoice") and history.tickets[0].csat == 4


def test_nested_json_fields_are_mapped_by_dotted_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "conversations.ndjson",
        json.dumps({"id": "c1", "created_at": "2026-10-01T12:00:00Z", "source": {"body": "App crashes on my Pixel"}}) + "\n",
    )
    (ticket,) = load_history(path, overrides={"body": "source.body"}).tickets
    assert ticket.body == "App crashes on my Pixel"


PRESET_EXPORTS = {
    "zendesk": """Id,Requester,Requester organization,Subject,Description,Status,Tags,Assignee,Group,Via,Created at,Solved at,First reply time in minutes,Full resolution time in minutes,Satisfaction Score,Category [list],Plan [list]
5001,Ana Costa,Brightloop,Password reset,I can't reset my password,Solved,password login,Maya Okafor,Support,Mail,2026-11-02 09:00:00,2026-11-02 11:00:00,45,120,Good,Password reset,Business
5002,Ben Berg,Kestrel,Refund,Please refund our renewal,Solved,billing refund,Priya Nair,Billing,Web form,2026-11-03 10:00:00,,30,1440,Bad with comment,Refund request,Team
5003,Carla Dubois,,Hello,Is there a dark mode?,Open,feature,,Support,Chat,2026-11-04 10:00:00,,,,Unoffered,,
""",
    "intercom": """Conversation ID,Conversation URL,Created at,First response at,Closed at,Conversation title,Initial message,First teammate reply,Topic,Conversation tags,Company plan,Conversation rating,Teammate assigned,Channel
215001,https://app.intercom.com/a/1,2026-11-02 09:00:00 UTC,2026-11-02 09:45:00 UTC,2026-11-02 11:00:00 UTC,,I can't reset my password,Use Forgot password,Password reset,"password, login",Business,5,Maya Okafor,Messenger
215002,https://app.intercom.com/a/2,2026-11-03 10:00:00 UTC,2026-11-03 10:30:00 UTC,,,Please refund our renewal,Passed to billing,Billing,refund,Team,1,Priya Nair,Email
215003,https://app.intercom.com/a/3,2026-11-04 10:00:00 UTC,,,,Is there a dark mode?,,,feature,,,,Messenger
""",
    "freshdesk": """Ticket ID,Subject,Description,Status,Priority,Source,Type,Agent,Group,Created time,Due by Time,Resolved time,First response time (in hrs),Tags,Satisfaction rating,Plan
9001,Password reset,I can't reset my password,Closed,Low,Email,Password Reset,Maya Okafor,Support,11/02/2026 09:00,11/03/2026 09:00,11/02/2026 11:00,0.75,"password,login",Extremely happy,Business
9002,Refund,Please refund our renewal,Resolved,High,Portal,Refund,Priya Nair,Billing,11/03/2026 10:00,11/04/2026 10:00,,0.5,refund,Unhappy,Team
9003,Hello,Is there a dark mode?,Open,Low,Chat,Feature Request,,Support,11/04/2026 10:00,11/05/2026 10:00,,,feature,,
""",
    "helpscout": """Conversation ID,Number,Mailbox,Customer,Subject,Preview,Status,Assigned To,Tags,Created At,First Response At,Closed At,Rating,Plan
88001,1201,Support,Ana Costa,Password reset,I can't reset my password,closed,Maya Okafor,"password, login","Nov 2, 2026 9:00 AM","Nov 2, 2026 9:45 AM","Nov 2, 2026 11:00 AM",Great,Business
88002,1202,Billing,Ben Berg,Refund,Please refund our renewal,closed,Priya Nair,refund,"Nov 3, 2026 10:00 AM","Nov 3, 2026 10:30 AM",,Not Good,Team
88003,1203,Support,Carla Dubois,Hello,Is there a dark mode?,active,,feature,"Nov 4, 2026 10:00 AM",,,,
""",
}


@pytest.mark.parametrize("preset", sorted(PRESET_EXPORTS))
def test_each_helpdesk_export_maps_to_the_same_tickets(tmp_path: Path, preset: str) -> None:
    path = write(tmp_path, f"{preset}.csv", PRESET_EXPORTS[preset])
    header = PRESET_EXPORTS[preset].splitlines()[0].split(",")
    assert detect_preset(header) == preset
    guessed, named = load_history(path), load_history(path, preset=preset)
    assert guessed == named and named.mapping.preset == preset and named.skipped == ()
    first, second, third = named.tickets
    assert first.created_at == datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert first.first_response_time == timedelta(minutes=45)
    assert first.resolution_time == timedelta(hours=2)
    assert "reset my password" in first.text and first.csat == 5 and first.plan == "business"
    assert first.category == ("password reset" if named.mapping.column("category") else None) and "password" in first.tags
    assert first.agent == "Maya Okafor"
    assert second.resolved_at is None or preset == "zendesk"  # Zendesk: the resolution minutes give a time
    assert second.csat in (1, 2) and second.plan == "team"
    assert third.first_response_at is None and third.csat is None and third.text.endswith("Is there a dark mode?")


def test_zendesk_durations_are_minutes_after_creation(tmp_path: Path) -> None:
    history = load_history(write(tmp_path, "zendesk.csv", PRESET_EXPORTS["zendesk"]))
    second = history.tickets[1]
    assert second.resolved_at == datetime(2026, 11, 4, 10, tzinfo=UTC)  # 1440 minutes after creation
    assert history.tickets[0].agent_reply == ""  # Zendesk's CSV has no comments


def test_a_preset_column_can_be_overridden_or_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "helpscout.csv", PRESET_EXPORTS["helpscout"].replace("Preview", "Customer Waiting Text"))
    history = load_history(path, preset="helpscout", overrides=parse_map(["body=Customer Waiting Text", "csat="]))
    assert history.tickets[0].body == "I can't reset my password"
    assert all(t.csat is None for t in history.tickets)
    assert history.mapping.column("csat") is None


def test_quoted_multi_line_fields_report_the_line_where_the_record_starts(tmp_path: Path) -> None:
    text = 'id,created_at,subject,body\n1,2026-11-01,a,"one\ntwo\nthree"\n\n2,not a date,b,"x\ny"\n3,2026-11-02,c,d\n'
    history = load_history(write(tmp_path, "multi.csv", text))
    assert [t.source_line for t in history.tickets] == [2, 8]
    assert [str(p) for p in history.skipped] == [
        f"{tmp_path / 'multi.csv'}:6: created_at (column 'created_at'): not a date: 'not a date'"
    ]


def test_bad_rows_are_skipped_with_path_line_and_reason(tmp_path: Path) -> None:
    text = """id,created_at,resolved_at,subject,body,csat
1,2026-11-01T10:00:00Z,,Fine,ok,5
2,2026-13-45,,Bad date,x,
3,2026-11-01T10:00:00Z,,,,
4,2026-11-01T10:00:00Z,,CSAT,x,9000
1,2026-11-02T10:00:00Z,,Again,x,
5,2026-11-01T10:00:00Z,2026-10-01T10:00:00Z,Backwards,x,
6,,,No date,x,
,2026-11-01T10:00:00Z,,No id,x,
7,11/02/2026,,Slashes,x,
"""
    path = write(tmp_path, "bad.csv", text)
    history = load_history(path)
    assert [t.ticket_id for t in history.tickets] == ["1"]
    messages = [str(p) for p in history.skipped]
    assert [p.line for p in history.skipped] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert all(m.startswith(f"{path}:") for m in messages)
    assert "not a date: '2026-13-45'" in messages[0]
    assert "empty subject and body" in messages[1]
    assert "CSAT '9000' is out of range" in messages[2]
    assert "duplicate id '1' (first on line 2)" in messages[3]
    assert "resolved_at (column 'resolved_at') 2026-10-01 10:00 is before created_at" in messages[4]
    assert "empty created_at" in messages[5] and "empty id" in messages[6]
    assert "day and month order unknown" in messages[7]


def test_strict_mode_stops_at_the_first_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "id,created_at,body\n1,2026-11-01,ok\n2,yesterday,x\n3,never,y\n")
    with pytest.raises(HistoryFileError, match=rf"^{path}:3: created_at .*'yesterday'"):
        load_history(path, strict=True)


def test_missing_required_columns_name_the_fields_their_columns_and_what_the_file_has(tmp_path: Path) -> None:
    path = write(tmp_path, "odd.csv", "Ticket,When,Text\n1,2026-11-01,hello\n")
    with pytest.raises(HistoryFileError) as caught:
        load_history(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: missing required field(s) for preset native")
    assert "id (column 'id')" in message and "created_at (column 'created_at')" in message
    assert "subject or body (column 'subject' or 'body')" in message
    assert "columns 'Ticket', 'When', 'Text'" in message and "--map" in message and "zendesk" in message
    fixed = load_history(path, overrides=parse_map(["id=Ticket,created_at=When,body=Text"]))
    assert fixed.tickets[0].body == "hello"
    with pytest.raises(
        HistoryFileError, match=r"missing required field\(s\) for preset zendesk: id \(column 'Id' or 'Ticket ID'"
    ):
        load_history(path, preset="zendesk")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", "", "the file is empty"),
        ("blank.csv", "\n\n  \n", "the file is empty"),
        ("header.csv", "id,created_at,body\n", "no usable tickets"),
        ("image.csv", "\x89PNG\r\n\x1a\n\x00\x00\x00", "binary data"),
        ("broken.json", "[{", "not valid JSON"),
        ("text.jsonl", "hello\nworld\n", "not valid JSON"),
        ("numbers.json", "42", "not JSON lines or a JSON array"),
        ("quote.csv", 'id,created_at,body\n1,2026-11-01,"unclosed' + "x" * 200_000, "malformed CSV"),
    ],
)
def test_unusable_files_raise_one_clear_error(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(HistoryFileError, match=expected) as caught:
        load_history(path)
    assert str(path) in str(caught.value)


def test_missing_file_and_unknown_preset_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(HistoryFileError, match="cannot read"):
        load_history(tmp_path / "nope.csv")
    with pytest.raises(HistoryFileError, match="unknown preset 'jira'; presets: native, zendesk"):
        load_history(write(tmp_path, "t.csv", NATIVE_CSV), preset="jira")
    assert HistoryFileError in USER_ERRORS


def test_excel_quirks_bom_semicolons_and_utf16(tmp_path: Path) -> None:
    semicolons = "\ufeffid;created_at;subject;body\n1;2026-11-01 10:00;Héllo;Café crème\n"
    (tmp_path / "excel.csv").write_text(semicolons, encoding="utf-8")
    (tmp_path / "unicode.csv").write_text(semicolons.lstrip("\ufeff").replace(";", "\t"), encoding="utf-16")
    for name in ("excel.csv", "unicode.csv"):
        (ticket,) = load_history(tmp_path / name).tickets
        assert (ticket.ticket_id, ticket.subject, ticket.body) == ("1", "Héllo", "Café crème")


def test_parse_map_accepts_repeats_and_comma_lists_and_rejects_mistakes() -> None:
    assert parse_map(["created_at=Created", "body=Description,tags=Labels, csat = Score"]) == {
        "created_at": "Created",
        "body": "Description",
        "tags": "Labels",
        "csat": "Score",
    }
    assert parse_map(["subject=Title, with comma"]) == {"subject": "Title, with comma"}
    assert parse_map(["ticket_id=Number"]) == {"id": "Number"}
    with pytest.raises(HistoryFileError, match="unknown field 'created'; fields: id, created_at"):
        parse_map(["created=Created"])
    with pytest.raises(HistoryFileError, match="expects FIELD=COLUMN, not 'Created'"):
        parse_map(["Created"])
    with pytest.raises(HistoryFileError, match="maps body twice"):
        parse_map(["body=A", "body=B"])


def test_a_map_to_a_column_the_file_lacks_says_which_columns_it_has(tmp_path: Path) -> None:
    with pytest.raises(HistoryFileError, match=r"--map body=Message: no column 'Message' in the file; it has columns 'id'"):
        load_history(write(tmp_path, "t.csv", NATIVE_CSV), overrides={"body": "Message"})


def test_detection_prefers_native_on_a_tie_and_gives_up_when_nothing_fits() -> None:
    assert detect_preset(["id", "created_at", "subject"]) == "native"
    assert detect_preset(["foo", "bar"]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", 5), ("1", 1), ("4.5", 5), ("80%", 4), ("100", 5), ("0", 1), ("50", 3), ("2/3", 3), ("3/3", 5), ("9/10", 5),
     ("Good", 5), ("bad", 1), ("Not Good", 1), ("Okay", 3), ("Extremely happy", 5), ("Unhappy", 2), ("Offered", None), ("", None)],
)  # fmt: skip
def test_csat_scales_map_onto_one_to_five(text: str, expected: int | None) -> None:
    assert parse_csat(text) == expected


@pytest.mark.parametrize("text", ["101", "-1", "6 stars", "7/5", "nan"])
def test_impossible_csat_values_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_csat(text)


def test_dates_and_durations_in_the_forms_exports_use() -> None:
    noon = datetime(2026, 11, 3, 12, tzinfo=UTC)
    for text in ("2026-11-03T12:00:00Z", "2026-11-03 12:00", "2026-11-03 13:00:00 +0100", "2026-11-03 12:00:00 UTC", "1793707200",
                 "1793707200000", "Nov 3, 2026 12:00 PM", "Tue, 03 Nov 2026 12:00:00 +0000"):  # fmt: skip
        assert parse_datetime(text) == noon, text
    assert parse_datetime("11/03/2026 12:00 PM", us_dates=True) == noon
    for bad in ("2026", "1850-01-01", "11/03/2026", "soon"):
        with pytest.raises(ValueError):
            parse_datetime(bad)
    assert parse_duration("90") == parse_duration("1h 30m") == parse_duration("1:30:00") == timedelta(minutes=90)
    assert parse_duration("1.5", minutes_per_unit=60) == timedelta(minutes=90)
    for bad in ("-5", "soon", "inf"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_the_text_is_the_question_as_the_bot_would_have_seen_it(tmp_path: Path) -> None:
    text = "id,created_at,subject,body\n1,2026-11-01,App crashes on launch...,App crashes on launch since the update\n2,2026-11-01,Refund,\n"
    first, second = load_history(write(tmp_path, "t.csv", text)).tickets
    assert first.text == "App crashes on launch since the update" and second.text == "Refund"


def test_the_shared_command_line_arguments(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_history_arguments(parser)
    path = write(tmp_path, "zendesk.csv", PRESET_EXPORTS["zendesk"])
    args = parser.parse_args([str(path), "--preset", "zendesk", "--map", "plan=Requester organization", "--map", "csat="])
    history = load_from_args(args)
    assert history.tickets[0].plan == "brightloop" and history.tickets[0].csat is None
    with pytest.raises(SystemExit):
        parser.parse_args([str(path), "--preset", "jira"])


def bundled_intents() -> set[str]:
    return set(yaml.safe_load((REPO / "models" / "intents" / "orbitask.yaml").read_text(encoding="utf-8"))["intents"])


def test_the_shipped_sample_is_a_realistic_history() -> None:
    history = load_history(SAMPLE)
    tickets = history.tickets
    assert history.mapping.preset == "native" and history.skipped == ()
    assert len(tickets) >= 520
    categories = Counter(t.category for t in tickets if t.category)
    unknown = {name for name in categories if name not in bundled_intents()}
    assert len(categories) >= 18 and len(unknown) >= 5
    assert sum(categories[name] >= 10 for name in unknown) >= 5
    assert 0.3 <= sum(t.csat is not None for t in tickets) / len(tickets) <= 0.5
    assert sum(bool(t.agent_reply) for t in tickets) / len(tickets) >= 0.8
    assert any(not t.agent_reply for t in tickets) and any(t.resolved_at is None for t in tickets)
    assert 0.75 <= sum(t.category is not None for t in tickets) / len(tickets) <= 0.95
    assert {t.plan for t in tickets} == {"free", "team", "business", "enterprise", None}
    assert min(t.created_at for t in tickets) >= datetime(2026, 9, 5, tzinfo=UTC)
    assert max(t.created_at for t in tickets) < datetime(2026, 11, 28, tzinfo=UTC)
    weekdays = sum(t.created_at.weekday() < 5 for t in tickets) / len(tickets)
    assert weekdays > 0.85


def test_the_shipped_zendesk_sample_is_recognised_as_zendesk() -> None:
    history = load_history(ZENDESK_SAMPLE)
    assert history.mapping.preset == "zendesk" and history.skipped == () and len(history.tickets) >= 30
    assert any(t.first_response_at for t in history.tickets) and any(t.csat for t in history.tickets)


def test_every_preset_documents_an_example_command() -> None:
    assert all(preset.example.startswith("supportbot audit ") for preset in PRESETS.values())
