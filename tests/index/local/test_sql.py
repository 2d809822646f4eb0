import sqlite3

import pytest

from reindustry_kb.index import records
from reindustry_kb.index.local import sql
from reindustry_kb.models import (
    CLAIM,
    ActorClaim,
    ClaimFilters,
    DateClaim,
    Document,
    Filters,
    Passage,
    StatisticClaim,
)

DOCS = ["100%_sure", "100X_sure", "under_score", "underXscore", "grid_2025"]


@pytest.fixture
def db() -> sqlite3.Connection:
    """The schema, holding one passage per document of DOCS."""
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.executescript(sql.SCHEMA)
    for row, doc_id in enumerate(DOCS):
        date = "2025" if doc_id.endswith("2025") else "2024-12-01"
        document = Document(doc_id=doc_id, path=f"{doc_id}.md", sha256="0" * 64, date=date)
        passage = Passage(
            passage_id=f"{doc_id}#p001",
            doc_id=doc_id,
            ordinal=1,
            text="text",
            char_start=0,
            char_end=4,
            line_start=1,
            line_end=1,
            lang="mixed" if row == 0 else "en",
        )
        db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            records.document_row(document, "text"),
        )
        db.execute(
            f"INSERT INTO passages (row, {records.PASSAGE_COLUMNS}, tokens) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row, *records.passage_row(passage), "solar tariff 锂电池"),
        )
    return db


def test_records_come_back_from_their_rows(db: sqlite3.Connection) -> None:
    document = Document(
        doc_id="brief", path="a/brief.md", sha256="1" * 64, title="標題", authors=["甲", "B"]
    )
    db.execute(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        records.document_row(document, "全文"),
    )
    found = db.execute(f"SELECT {records.DOCUMENT_COLUMNS} FROM documents WHERE doc_id = 'brief'")
    assert sql.document_of(found.fetchone()) == document
    claims = [
        StatisticClaim(
            id="s", doc_id="brief", passage_id="brief#p001", text="15%", char_start=0,
            char_end=3, line=1, value=15.0, unit="%",
        ),
        DateClaim(
            id="d", doc_id="brief", passage_id="brief#p001", text="2025", char_start=4,
            char_end=8, line=1, value="2025", precision="year",
        ),
        ActorClaim(
            id="a", doc_id="brief", passage_id="brief#p001", text="川普", char_start=9,
            char_end=11, line=1, name="川普", canonical="Donald Trump", actor_type="person",
        ),
    ]  # fmt: skip
    db.executemany(
        "INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", map(records.claim_row, claims)
    )
    rows = db.execute("SELECT value_num, value_text, unit, canonical, data FROM claims").fetchall()
    assert [tuple(row)[:4] for row in rows] == [
        (15.0, None, "%", None),
        (None, "2025", None, None),
        (None, None, None, "Donald Trump"),
    ]
    assert [CLAIM.validate_json(row["data"]) for row in rows] == claims


def _documents(db: sqlite3.Connection, filters: Filters) -> list[str]:
    where, params = records.passage_where(filters)
    found = db.execute(
        f"SELECT d.doc_id FROM documents d JOIN passages p USING (doc_id) WHERE {where} "
        "ORDER BY p.row",
        params,
    )
    return [row["doc_id"] for row in found]


def test_documents_by_id_or_prefix_take_like_wildcards_literally(db: sqlite3.Connection) -> None:
    assert records.like_literal("100%_a\\b") == "100\\%\\_a\\\\b"
    assert _documents(db, Filters(docs=("100%_sure",))) == ["100%_sure"]
    assert _documents(db, Filters(docs=("under_*",))) == ["under_score"]
    assert _documents(db, Filters(docs=("100%*", "grid_2025.md"))) == ["100%_sure", "grid_2025"]
    assert _documents(db, Filters()) == DOCS


def test_dates_compare_at_the_precision_asked_and_mixed_passages_pass_any_language(
    db: sqlite3.Connection,
) -> None:
    assert _documents(db, Filters(since="2025")) == ["grid_2025"]
    assert _documents(db, Filters(until="2024-12")) == DOCS[:4]
    assert _documents(db, Filters(lang="zh")) == ["100%_sure"]  # mixed
    assert _documents(db, Filters(lang="en")) == DOCS


def test_claim_filters_are_parameters(db: sqlite3.Connection) -> None:
    where, params = records.claim_where(ClaimFilters(unit="%", min_value=10, mentions=("锂",)))
    assert not any(value in where for value in ("statistic", "锂", "10"))
    assert params[:3] == ["statistic", "%", 10]  # a unit or bound implies statistics
    assert params[-1] == "%锂%"  # a Han term may stand inside a longer word
    _, params = records.claim_where(ClaimFilters(mentions=("solar_x",)))
    assert params == ["% solar\\_x %"]  # a Latin one is a whole word
