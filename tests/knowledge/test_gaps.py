import datetime as dt

from bot.storage import make_engine
from knowledge.embedding import SentenceEncoder
from knowledge.gaps import GapLog, cluster_gaps
from knowledge.index import KnowledgeIndex
from tests.databases import database_url  # noqa: F401  (fixture)

PARAPHRASES = {
    "gantt": [
        "can I see my projects as a gantt chart?",
        "is there a gantt view",
        "how do I get a gantt chart of our tasks",
        "do you support gantt charts for planning",
    ],
    "invoice_po": [
        "can you add our purchase order number to the invoice",
        "I need the PO number printed on our invoices",
        "where do I put a purchase order reference for billing",
    ],
    "dark_mode": ["is there a dark mode", "how do I switch to dark theme"],
}


def test_gap_events_round_trip_on_sqlite_and_postgresql(database_url: str) -> None:  # noqa: F811
    log = GapLog(make_engine(database_url))
    log.record(
        "unanswered",
        "is there a gantt view",
        intent="howto_reports",
        best_article_id="build-reports-and-dashboards",
        best_score=0.41,
    )
    log.record("escalation", "old question", at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    recent = log.since(days=7)
    assert [(e.kind, e.text, e.best_article_id) for e in recent] == [
        ("unanswered", "is there a gantt view", "build-reports-and-dashboards")
    ]
    assert len(log.since(None)) == 2


def test_unknown_gap_kind_is_refused(tmp_path: object) -> None:
    log = GapLog(make_engine("sqlite://"))
    try:
        log.record("shrug", "x")
    except ValueError as exc:
        assert "unknown gap kind 'shrug'" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_clustering_groups_paraphrases_and_keeps_topics_apart(encoder: SentenceEncoder, bundled_index: KnowledgeIndex) -> None:
    log = GapLog(make_engine("sqlite://"))
    for topic, texts in PARAPHRASES.items():
        for text in texts:
            log.record("unanswered", text, intent=topic)
    clusters = cluster_gaps(log.since(None), encoder, bundled_index)
    assert [c.size for c in clusters] == [4, 3, 2]
    for cluster, topic in zip(clusters, PARAPHRASES, strict=True):
        assert set(cluster.examples) <= set(PARAPHRASES[topic])
        assert cluster.intents == {topic: cluster.size}
    assert clusters[1].closest_article_id in {
        "download-invoices-and-receipts",
        "update-payment-method-and-tax-id",
        "how-billing-works",
    }
