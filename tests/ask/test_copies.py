import csv
import io
import shutil

from reindustry_kb.ask.compare import compare
from reindustry_kb.ask.copies import without_copies
from reindustry_kb.ask.session import Session
from reindustry_kb.ask.timeline import timeline
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import ClaimFilters, Document
from reindustry_kb.out.render import comparison_csv
from reindustry_kb.settings import Settings


def test_an_item_in_a_copy_of_its_file_stands_for_the_first() -> None:
    documents = {
        doc_id: Document(doc_id=doc_id, path=f"{doc_id}.txt", sha256=sha256)
        for doc_id, sha256 in (("a", "1"), ("a (1)", "1"), ("b", "2"))
    }
    items = [("a", 0, 5), ("b", 0, 5), ("a (1)", 0, 5), ("a (1)", 6, 9), ("a", 6, 9)]
    kept, copies = without_copies(items, lambda item: item, documents)
    # The same span of the same bytes is one item; the same span of other bytes is not.
    assert kept == [("a", 0, 5), ("b", 0, 5), ("a (1)", 6, 9)]
    assert copies == [[("a (1)", 0, 5)], [], [("a", 6, 9)]]


def test_compare_and_timeline_count_a_copied_file_once(fake_settings: Settings) -> None:
    build_index(fake_settings)
    before = compare(Session.open(fake_settings), "tariff revenue")
    events = timeline(Session.open(fake_settings).reader, ClaimFilters())
    shutil.copy(fake_settings.seeds_dir / "brief_en.md", fake_settings.seeds_dir / "brief_en2.md")
    build_index(fake_settings)
    session = Session.open(fake_settings)
    after = compare(session, "tariff revenue")
    # The same figures in the same groups, the copy's named beside each of the file's.
    assert [len(g.statistics) for g in after.groups] == [len(g.statistics) for g in before.groups]
    rows = [row for group in after.groups for row in group.statistics]
    copied = [row for row in rows if row.doc_id == "brief_en"]
    assert copied and all(row.copies == [_in_copy(row.citation)] for row in copied)
    assert all(row.copies == [] for row in rows if row.doc_id != "brief_en")
    table = list(csv.DictReader(io.StringIO(comparison_csv(after))))
    assert [row["copies"] for row in table] == ["; ".join(row.copies) for row in rows]
    entries = timeline(session.reader, ClaimFilters())
    assert [e.citation for e in entries] == [e.citation for e in events]
    assert any(e.doc_id == "brief_en" for e in entries)
    assert all(
        e.copies == ([_in_copy(e.citation)] if e.doc_id == "brief_en" else []) for e in entries
    )


def _in_copy(citation: str) -> str:
    return citation.replace("brief_en", "brief_en2")
