import pytest

from reindustry_kb.text.language import detect_lang, detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("美國的關稅收入創下新高", "zh-Hant"),
        ("美国的关税收入创下新高", "zh-Hans"),
        ("Tariff revenue hit a record high", "en"),
        (
            "美國的關稅收入創下新高，出口也增加了。\n"
            "Tariff revenue hit a record high this year, said the Treasury.",
            "mixed",
        ),
        ("Axios 記者 Maria Curi 訪問 Jacob Helberg，談到美國的再工業化與關稅政策。", "zh-Hant"),
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang
    # The language alone, without the script (no OpenCC table): zh for both scripts.
    assert detect_language(text) == ("zh" if lang.startswith("zh") else lang)
