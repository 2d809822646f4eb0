import pytest
from hypothesis import given
from hypothesis import strategies as st

from reindustry_kb.text.normalize import fold, fold_text, script_counts

MIXED = st.text(
    alphabet=st.sampled_from(
        list("網際網路資料庫軟體關稅美國台灣臺灣人工智慧晶片 ，。！ABCabc123１２３\n")
    ),
    max_size=80,
)


def test_fold_meets_scripts_and_regions() -> None:
    # Traditional and Simplified, and Taiwan and mainland wordings, fold to one form.
    assert fold_text("關稅") == fold_text("关税")
    assert fold_text("人工智慧") == fold_text("人工智能")
    assert fold_text("晶片") == fold_text("芯片")
    assert fold_text("ＡＩ　３０００") == "ai 3000"


def test_offsets_map_a_length_changing_phrase() -> None:
    text = "美國網際網路公司"
    folded = fold(text)
    assert folded.text == "美国互联网公司"
    start = folded.text.index("互联网")
    assert folded.span_to_original(start, start + 3) == (2, 6)  # 網際網路
    assert text[slice(*folded.span_to_original(0, 2))] == "美國"


@pytest.mark.parametrize("text", ["從輝達、軟銀", "我從輝達", "從輝達"])
def test_a_character_beside_one_changed_phrase_keeps_its_own_offsets(text: str) -> None:
    """輝達 -> 英伟达 changes length; the 從 before it (one equal character beside a single
    change) is not absorbed into the change, so 英伟达 maps back to 輝達 alone."""
    folded = fold(text, lower=False)
    start = folded.text.index("英伟达")
    assert text[slice(*folded.span_to_original(start, start + 3))] == "輝達"
    assert text[slice(*folded.span_to_original(start - 1, start))] == "從"


@given(MIXED)
def test_offsets_are_monotonic_and_in_range(text: str) -> None:
    folded = fold(text)
    assert len(folded.starts) == len(folded.ends) == len(folded.text)
    assert list(folded.starts) == sorted(folded.starts)
    assert list(folded.ends) == sorted(folded.ends)
    assert all(0 <= a < b <= len(text) for a, b in zip(folded.starts, folded.ends, strict=True))
    assert folded.text.count("\n") == text.count("\n")


@given(MIXED, MIXED)
def test_a_length_changing_phrase_maps_back_exactly_in_any_context(before: str, after: str) -> None:
    # Phrase conversions can depend on neighbours, so the property is about the phrase itself:
    # wherever 網際網路 (-> 互联网) stands, its folded form maps back to exactly its span.
    text = before + "\n網際網路\n" + after
    folded = fold(text)
    start = folded.text.index("\n互联网\n", len(fold_text(before))) + 1
    a, b = folded.span_to_original(start, start + 3)
    assert text[a:b] == "網際網路"


def test_script_counts() -> None:
    traditional, simplified = script_counts("國家發展")
    assert traditional > simplified
    traditional, simplified = script_counts("国家发展")
    assert simplified > traditional
