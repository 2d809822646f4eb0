from rich.console import Console

from reindustry_kb.models import AskResult, Hit
from reindustry_kb.out.render import highlight_spans, render_hits


def test_highlight_maps_folded_terms_to_original_text() -> None:
    text = "美國網際網路公司的關稅收入"
    spans = {text[a:b] for a, b in highlight_spans(text, ["互联网", "关税"])}
    assert spans == {"網際網路", "關稅"}


def test_render_hits_shows_rank_citation_and_highlight() -> None:
    hit = Hit(
        rank=1,
        score=0.9,
        doc_id="d",
        title="標題",
        date="2025-01-02",
        passage_id="d#p001",
        text="美國的關稅收入",
        char_start=0,
        char_end=7,
        line_start=3,
        line_end=3,
        citation="d:L3-L3",
        speaker="王大明",
    )
    console = Console(record=True, width=100)
    render_hits(console, AskResult(query="关税", hits=[hit]), ["关税"])
    out = console.export_text()
    assert "#1" in out and "d:L3-L3" in out and "標題" in out and "speaker: 王大明" in out
    assert "2025-01-02" in out
    empty = Console(record=True)
    render_hits(empty, AskResult(query="x", hits=[]), [])
    assert "No passage matches" in empty.export_text()


def test_claims_line_lists_each_claim_whole() -> None:
    from reindustry_kb.models import ActorClaim, StatisticClaim
    from reindustry_kb.out.render import claims_line

    common = {"doc_id": "d", "passage_id": "d#p001", "line": 1}
    claims = [
        StatisticClaim(id="s", text="75%", char_start=0, char_end=3, value=75, unit="%", **common),
        ActorClaim(
            id="a1",
            text="MP Materials",
            char_start=5,
            char_end=17,
            name="MP Materials",
            canonical="MP Materials",
            actor_type="company",
            **common,
        ),
        ActorClaim(
            id="a2",
            text="MP Materials",
            char_start=20,
            char_end=32,
            name="MP Materials",
            canonical="MP Materials",
            actor_type="company",
            **common,
        ),
    ]
    assert claims_line(claims).plain == "claims: 75% = 75 % · MP Materials [company]"


def test_a_long_citation_folds_instead_of_squeezing_the_figures() -> None:
    from reindustry_kb.ask.compare import ComparedStatistic, Comparison, StatisticGroup
    from reindustry_kb.out.render import render_comparison

    figure = ComparedStatistic(
        id="x#s1-5",
        value=5000.0,
        value_max=None,
        unit="CNY",
        approx=False,
        text="五千元",
        measure="罚款",
        scope=None,
        period=None,
        doc_id="_distractors/prc-石油天然气管道保护法",
        title=None,
        date="2010-06-25",
        citation="_distractors/prc-石油天然气管道保护法:L212-L212",
        line=212,
        match=1.0,
        closeness=None,
    )
    group = StatisticGroup(
        unit="CNY",
        scope=None,
        period=None,
        low=5000.0,
        high=5000.0,
        spread=0.0,
        disagree=False,
        statistics=[figure],
    )
    console = Console(record=True, width=80)
    render_comparison(console, Comparison(query="罚款", groups=[group]))
    out = console.export_text()
    assert "measure" in out and "5000 CNY" in out and "五千元" in out
