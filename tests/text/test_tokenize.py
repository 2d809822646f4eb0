from pathlib import Path

from reindustry_kb.text.tokenize import QueryTokenizer, clean_tokens, tokenize, vocabulary_lines

DOCS = [
    "美國今年的關稅收入達到三千億美元。",
    "中国新增太阳能装机容量二百八十吉瓦。",
    "Customs duties and tariffs brought in record revenue.",
    "政府決定直接入股英特爾。",
]


def test_tokens_fold_scripts_and_drop_function_words() -> None:
    assert "关税" in tokenize("關稅") and "关税" in tokenize("关税")
    assert tokenize("人工智慧") == tokenize("人工智能")
    assert "的" not in tokenize("美國的關稅")
    assert clean_tokens(["Tariffs", "policies", "the", " ", "，"]) == ["Tariff", "policy"]
    assert tokenize("Tariffs and Policies") == ["tariff", "policy"]


def test_query_segmentation_is_remembered_for_short_texts_only(tmp_path: Path) -> None:
    # An index's vocabulary, as a saved index writes it (vocab.txt).
    vocabulary = tmp_path / "vocab.txt"
    terms = sorted({term for text in DOCS for term in tokenize(text)})
    vocabulary.write_text("\n".join(vocabulary_lines(terms)) + "\n", encoding="utf-8")
    query_terms = QueryTokenizer(vocabulary)
    first = query_terms("美国关税收入")
    first.append("changed by a caller")
    assert "美国关税收入" in query_terms._segmented
    assert query_terms("美国关税收入") == QueryTokenizer(None)("美国关税收入")
    assert query_terms("美国关税收入") == tokenize("美国关税收入")
    long_text = "关税" * 200
    assert query_terms(long_text) and long_text not in query_terms._segmented


def test_an_index_of_no_chinese_word_still_segments_questions(tmp_path: Path) -> None:
    # An English library writes an empty vocabulary: jieba refuses one, the tokenizer does not.
    vocabulary = tmp_path / "vocab.txt"
    vocabulary.write_text("\n".join(vocabulary_lines(["tariff", "revenue"])) + "\n", "utf-8")
    query_terms = QueryTokenizer(vocabulary)
    assert query_terms("Tariff revenue in 2025") == ["tariff", "revenue", "2025"]
    assert query_terms("關稅收入 tariff") == ["关税收入", "tariff"]


def test_the_query_dictionary_is_cached_beside_the_vocabulary(tmp_path: Path) -> None:
    vocabulary = tmp_path / "vocab.txt"
    vocabulary.write_text("\n".join(vocabulary_lines(["关税", "收入"])) + "\n", "utf-8")
    assert QueryTokenizer(vocabulary)("关税收入") == ["关税", "收入"]
    assert (tmp_path / "vocab.txt.cache").is_file()  # gone with its build, not left in /tmp


def test_plurals_fold_to_their_singular() -> None:
    # -ses plurals drop their s (purposes is purpose, not purpos), but for the nouns whose
    # singular ends in s; -xes, -ches, -shes and -sses drop es.
    words = "purposes purpose licenses cases gases gas statuses taxes processes policies gasps"
    assert tokenize(words) == [
        "purpose", "purpose", "license", "case", "gas", "gas", "status", "tax", "process",
        "policy", "gasp",
    ]  # fmt: skip
