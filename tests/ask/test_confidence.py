import math
import random
from pathlib import Path

import pytest

from reindustry_kb.ask import confidence
from reindustry_kb.ask.confidence import (
    FEATURES,
    Calibration,
    Signals,
    calibration_for,
    evidence,
    expected_calibration_error,
    fit,
)
from reindustry_kb.ask.query import concepts
from reindustry_kb.ask.questions import ask, ask_with_evidence
from reindustry_kb.ask.session import Session
from reindustry_kb.models import Passage
from reindustry_kb.settings import Settings
from tests.cross_encoders import overlap_onnx


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_a_calibration_is_a_logistic_model_over_standardised_features() -> None:
    calibration = Calibration(
        key="fake/m",
        features=("ideas", "rank"),
        mean=(0.5, 1.0),
        scale=(0.25, 2.0),
        coefficients=(2.0, -1.0),
        intercept=0.5,
        threshold=0.3,
    )
    # 0.5 + 2 (0.75 - 0.5) / 0.25 - (3 - 1) / 2 = 1.5
    assert calibration.probability({"ideas": 0.75, "rank": 3.0, "cosine": 9.0}) == pytest.approx(
        _sigmoid(1.5)
    )
    assert calibration.probability({"ideas": 1e6, "rank": 0.0}) == pytest.approx(1.0)


def test_fit_recovers_the_probabilities_that_made_the_labels() -> None:
    rng = random.Random(4)
    rows, labels = [], []
    for _ in range(4000):
        x, noise = rng.uniform(-2, 2), rng.uniform(0, 1)
        rows.append({"x": x, "noise": noise})
        labels.append(rng.random() < _sigmoid(2 * x - 1))
    calibration = fit("fake/m", ["x", "noise"], rows, labels, ridge=0.01)
    for x in (-1.5, 0.0, 0.5, 1.5):
        assert calibration.probability({"x": x, "noise": 0.5}) == pytest.approx(
            _sigmoid(2 * x - 1), abs=0.04
        )
    assert abs(calibration.coefficients[1]) < 0.1 * calibration.coefficients[0]  # noise: ~0
    # Fitted on its own predictions' world, the model is calibrated.
    predicted = [calibration.probability(row) for row in rows]
    assert expected_calibration_error(predicted, labels) < 0.03


def test_a_constant_feature_does_not_break_the_fit() -> None:
    rows = [{"x": float(i % 2), "same": 1.0} for i in range(20)]
    labels = [i % 2 == 1 for i in range(20)]
    calibration = fit("fake/m", ["x", "same"], rows, labels)
    assert calibration.scale[1] == 1.0
    assert calibration.probability(rows[1]) > 0.5 > calibration.probability(rows[0])


def test_expected_calibration_error_weighs_each_bin_by_its_share() -> None:
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert expected_calibration_error([0.9, 0.9], [False, False]) == pytest.approx(0.9)
    # Two bins: 0.2 predicted, 0.5 observed (gap 0.3, 2 of 4); 0.8 against 1.0 (0.2, 2 of 4).
    error = expected_calibration_error([0.2, 0.2, 0.8, 0.8], [True, False, True, True])
    assert error == pytest.approx(0.5 * 0.3 + 0.5 * 0.2)
    assert expected_calibration_error([1.0], [True]) == 0.0  # 1.0 falls in the last bin
    assert expected_calibration_error([], []) == 0.0


def test_the_shipped_calibrations_cover_the_default_and_hashing_embedders() -> None:
    for embedder, model in (("e5-onnx", "multilingual-e5-small-int8"), ("hashing", "hashing-384")):
        calibration = calibration_for(embedder, model)
        assert calibration is not None
        assert set(calibration.features) <= set(FEATURES)
        assert 0 < calibration.threshold < 1
        assert len(calibration.coefficients) == len(calibration.features)
    assert calibration_for("fake", "hash-bigrams-64") is None
    assert calibration_for("e5-onnx", "another-model") is None


def test_a_calibration_of_evidence_this_version_does_not_gather_is_ignored(
    calibrated: Calibration, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert calibration_for("fake", "hash-bigrams-64") == calibrated
    entry = {**calibrated.to_json(), "features": ["ideas", "gone"]}
    monkeypatch.setattr(confidence, "shipped", lambda: {calibrated.key: entry})
    assert calibration_for("fake", "hash-bigrams-64") is None


def test_without_a_calibration_hits_carry_no_probability(fake_index: Settings) -> None:
    result = ask(Session.open(fake_index), "關稅收入", 3)
    assert result.hits
    assert all(hit.probability is None and not hit.weak for hit in result.hits)
    assert not result.no_good_match and result.threshold is None


def _with_reranker(settings: Settings, tmp_path: Path) -> Session:
    """A session whose reranker is the overlap cross-encoder (tests/cross_encoders.py)."""
    folder = overlap_onnx(tmp_path / "overlap")
    return Session.open(settings.model_copy(update={"reranker": folder}))


def test_a_reranker_without_a_fit_gives_its_own_probability_and_says_so(
    fake_index: Settings, calibrated: Calibration, tmp_path: Path
) -> None:
    # The embedder's calibration does not hold for a reranker's order: it is not used.
    session = _with_reranker(fake_index, tmp_path)
    assert session.calibration is None
    result = ask(session, "美國對進口晶片課徵關稅", 3)
    assert result.probability_from == "reranker overlap (its own sigmoid, not calibrated)"
    assert result.threshold == confidence.RERANKER_THRESHOLD
    for hit in result.hits:
        assert hit.probability == hit.score and hit.weak == (hit.score < 0.5)
    assert not result.hits[0].weak  # it holds 美國, 晶片, 進口 and 關稅
    unanswered = ask(session, "紅燒肉要怎麼做才會軟嫩入味", 3)  # no word of the model's
    assert all(hit.weak for hit in unanswered.hits) and unanswered.no_good_match


def test_a_calibration_is_keyed_by_its_reranker(
    fake_index: Settings, calibrated: Calibration, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = ask(Session.open(fake_index), "關稅收入", 1)
    assert plain.probability_from == "calibration fake/hash-bigrams-64"
    fitted = Calibration(**{**calibrated.__dict__, "key": "fake/hash-bigrams-64+overlap"})
    monkeypatch.setattr(confidence, "shipped", lambda: {fitted.key: fitted.to_json()})
    session = _with_reranker(fake_index, tmp_path)
    assert session.calibration == fitted
    result = ask(session, "關稅收入", 1)
    assert result.probability_from == "calibration fake/hash-bigrams-64+overlap"
    assert result.hits[0].probability != result.hits[0].score


def test_hits_below_the_threshold_are_weak(fake_index: Settings, calibrated: Calibration) -> None:
    session = Session.open(fake_index)
    answered = ask(session, "美國對進口晶片課徵關稅", 3)
    assert answered.hits[0].probability is not None and answered.hits[0].probability > 0.5
    assert not answered.hits[0].weak and not answered.no_good_match
    assert answered.threshold == 0.5
    for hit in answered.hits:
        assert hit.probability is not None and 0 <= hit.probability <= 1
        assert hit.weak == (hit.probability < 0.5)
    unanswered = ask(session, "紅燒肉要怎麼做才會軟嫩入味", 3)
    assert unanswered.hits and all(hit.weak for hit in unanswered.hits)
    assert unanswered.no_good_match


def test_a_hits_probability_does_not_depend_on_how_many_are_asked(
    fake_index: Settings, calibrated: Calibration
) -> None:
    session = Session.open(fake_index)
    one = ask(session, "關稅收入", 1).hits
    many = ask(session, "關稅收入", 8).hits
    assert len(one) == 1 and one[0].probability == many[0].probability


def test_the_evidence_of_each_hit(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    question = "How much tariff revenue did India collect in 2016?"
    result, rows = ask_with_evidence(session, question, 3)
    assert len(rows) == len(result.hits) == 3
    for rank, row in enumerate(rows, start=1):
        assert set(row) == set(FEATURES)
        assert row["rank"] == pytest.approx(math.log(rank))
        assert row["missing_year"] == 1.0  # no passage or document of the fixtures holds 2016
        assert row["missing_country"] == 1.0  # nor names India
        assert 0 <= row["ideas"] <= 1 and 0 <= row["unknown_ideas"] <= 1
        assert -1 <= row["cosine"] <= 1 and -1 <= row["window_cosine"] <= 1
    # The first hits' dense leads are measured against each other: they cannot all lead.
    assert min(row["dense_lead"] for row in rows) <= 0
    result, rows = ask_with_evidence(session, "How much tariff revenue did the US get in 2025?", 3)
    languages = {
        hit.doc_id: row["cross_language"] for row, hit in zip(rows, result.hits, strict=True)
    }
    assert languages["brief_en"] == 0.0
    assert languages.get("interview_hant", 1.0) == 1.0
    assert all(row["missing_year"] == 0.0 for row in rows)  # every fixture is dated 2025


def _passage(text: str, lang: str = "zh-Hant") -> Passage:
    return Passage(
        passage_id=f"d#p{len(text):03d}",
        doc_id="d",
        ordinal=1,
        text=text,
        char_start=0,
        char_end=len(text),
        line_start=1,
        line_end=1,
        lang=lang,
    )


def test_a_country_or_year_counts_as_named_by_the_passage_or_its_document(
    fake_index: Settings,
) -> None:
    terms = Session.open(fake_index).terms
    article = _passage(
        "營業秘密之損害賠償請求權，自請求權人知有行為及賠償義務人時起，二年間不行使而消滅。"
    )
    question = "台灣營業秘密的損害賠償請求權在2020年後多久消滅？"

    def row(countries: frozenset[str], year: str | None) -> dict[str, float]:
        signals = Signals(0.8, 0.8, 1.0, 0.0, year=year, countries=countries)
        return evidence(terms, question, concepts(question, terms), [], [(article, signals)])[0]

    assert row(frozenset(), None)["missing_country"] == 1.0
    assert row(frozenset({"Taiwan"}), None)["missing_country"] == 0.0  # a law of Taiwan's
    assert row(frozenset(), None)["missing_year"] == 1.0
    assert row(frozenset(), "2020")["missing_year"] == 0.0  # the document's year
    assert row(frozenset(), None)["dense_lead"] == 0.0  # no other hit to lead
    assert row(frozenset(), None)["cross_language"] == 0.0


def test_a_country_named_by_an_adjective_must_be_named_by_the_document(
    fake_index: Settings,
) -> None:
    terms = Session.open(fake_index).terms
    article = _passage("Companies may credit research spending against income tax.", "en")
    question = "How much R&D spending can a South Korean company credit against income tax?"

    def missing(countries: frozenset[str]) -> float:
        signals = Signals(0.8, 0.8, 1.0, 0.0, countries=countries)
        found = evidence(terms, question, concepts(question, terms), [], [(article, signals)])
        return found[0]["missing_country"]

    assert missing(frozenset({"Taiwan"})) == 1.0  # Taiwan's law, asked about Korea's
    assert missing(frozenset({"South Korea", "Taiwan"})) == 0.0
