from pathlib import Path

import yaml

from benchmarks.kb_retrieval import QUERIES, quality
from knowledge.base import load_knowledge_base
from knowledge.embedding import SentenceEncoder
from knowledge.index import KnowledgeIndex
from tests.knowledge.conftest import write_article


def test_incremental_reindex_picks_up_edited_added_and_deleted_articles(encoder: SentenceEncoder, tmp_path: Path) -> None:
    kb_dir, index_dir = tmp_path / "kb", tmp_path / "index"
    kb_dir.mkdir()
    write_article(kb_dir, "reset-password", "Reset your password", "password_reset", "Forgot it?", "Open the reset email.")
    write_article(kb_dir, "export-data", "Export your data", "data_export", "CSV and JSON.", "Choose Export.")
    write_article(kb_dir, "old-feature", "Legacy timeline", "howto_reports", "The old timeline view.", "Open Timeline.")
    _, first = KnowledgeIndex.build(load_knowledge_base(kb_dir), encoder, index_dir)
    assert len(first.added) == 3 and first.chunks_embedded == 6

    _, unchanged = KnowledgeIndex.build(load_knowledge_base(kb_dir), encoder, index_dir)
    assert unchanged.chunks_embedded == 0 and unchanged.unchanged == 3

    write_article(kb_dir, "export-data", "Export your data", "data_export", "CSV, JSON and XLSX spreadsheets.", "Choose Export.")
    write_article(kb_dir, "invoices", "Download invoices", "invoice_copy", "PDF invoices and receipts.", "Open Billing.")
    (kb_dir / "old-feature.md").unlink()
    index, update = KnowledgeIndex.build(load_knowledge_base(kb_dir), encoder, index_dir)
    assert (update.added, update.changed, update.deleted) == (("invoices.md",), ("export-data.md",), ("old-feature.md",))
    assert update.chunks_embedded == 4 and update.unchanged == 1
    assert index.search("where can I get a pdf receipt", k=1)[0].article_id == "invoices"
    assert "XLSX" in index.search("export to xlsx spreadsheet", k=1)[0].snippet
    assert all(hit.article_id != "old-feature" for hit in index.search("legacy timeline view", k=5))


def test_a_damaged_index_is_rebuilt_not_trusted(encoder: SentenceEncoder, tmp_path: Path) -> None:
    kb_dir, index_dir = tmp_path / "kb", tmp_path / "index"
    kb_dir.mkdir()
    write_article(kb_dir, "reset-password", "Reset your password", "password_reset", "Forgot it?", "Open the reset email.")
    KnowledgeIndex.build(load_knowledge_base(kb_dir), encoder, index_dir)
    (index_dir / "index.json").write_text("{broken")
    index, update = KnowledgeIndex.build(load_knowledge_base(kb_dir), encoder, index_dir)
    assert update.added == ("reset-password.md",) and len(index.chunks) == 2


def test_internal_playbooks_are_never_customer_results(bundled_index: KnowledgeIndex) -> None:
    hits = bundled_index.search("customer disputes a charge over 500 dollars, what may I offer", k=10)
    assert hits and all(bundled_index.kb.articles[h.article_id].customer_facing for h in hits)
    internal = bundled_index.search("billing dispute over 500 what may I offer", k=3, customer_only=False)
    assert internal[0].article_id == "playbook-billing-dispute-over-500"


def test_retrieval_quality_floor_on_the_labelled_queries(bundled_index: KnowledgeIndex) -> None:
    queries = [(q["query"], set(q["articles"])) for q in yaml.safe_load(QUERIES.read_text())["queries"]]
    assert len(queries) >= 200
    scores = quality(bundled_index, queries)
    assert scores["hybrid"]["recall@1"] >= 0.85
    assert scores["hybrid"]["recall@3"] >= 0.97
    assert scores["hybrid"]["recall@1"] > scores["dense"]["recall@1"] > scores["bm25"]["recall@1"]


def test_empty_and_huge_queries(bundled_index: KnowledgeIndex) -> None:
    assert bundled_index.search("   ") == []
    assert bundled_index.search("invoice " * 5000, k=1)[0].article_id == "download-invoices-and-receipts"
