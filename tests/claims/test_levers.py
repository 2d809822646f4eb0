import json
from importlib import resources

import pytest

from reindustry_kb.claims.levers import extract_levers
from reindustry_kb.models import LEVERS
from reindustry_kb.text.normalize import fold


def levers(text: str) -> list[tuple[str, str]]:
    folded = fold(text, lower=False)
    return [
        (text[slice(*folded.span_to_original(f.start, f.end))], f.fields["lever"])
        for f in extract_levers(folded.text)
    ]


def test_lexicon_covers_exactly_the_taxonomy() -> None:
    data = json.loads(
        resources.files("reindustry_kb").joinpath("data/levers.json").read_text("utf-8")
    )
    assert set(data) == set(LEVERS)
    assert all(data[lever] for lever in LEVERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("對半導體課徵關稅", [("課徵關稅", "tariff")]),
        ("对半导体征收关税", [("征收关税", "tariff")]),
        ("a 25 percent tariff on steel", [("tariff", "tariff")]),
        ("與主要夥伴達成貿易協議", [("貿易協議", "trade_agreement")]),
        ("資本投資的完全費用化", [("費用化", "tax_incentive")]),
        (
            "建立綠色通道與快速審批",
            [("綠色通道", "permitting_reform"), ("快速審批", "permitting_reform")],
        ),
        ("放松管制", [("放松管制", "deregulation")]),
        ("政府直接入股英特爾", [("入股", "equity_stake")]),
        ("設立主權財富基金", [("主權財富基金", "public_finance")]),
        ("subsidies for chip plants", [("subsidies", "subsidy")]),
        ("擴大出口管制", [("出口管制", "export_control")]),
        ("commercial diplomacy for technology", [("commercial diplomacy", "export_promotion")]),
        ("規劃產業聚落", [("產業聚落", "industrial_cluster")]),
        ("workforce training programs", [("workforce training", "workforce")]),
        ("推動技術商業化", [("技術商業化", "rd_commercialization")]),
        ("調整聯邦的AI採購準則", [("採購準則", "procurement")]),
        ("擴大核能與再生能源", [("核能", "energy_supply"), ("再生能源", "energy_supply")]),
    ],
)
def test_triggers(text: str, expected: list[tuple[str, str]]) -> None:
    assert levers(text) == expected
