import random

import pytest

from reindustry_kb.claims import lexicon as module
from reindustry_kb.claims.lexicon import actor_lexicon, build_lexicon
from reindustry_kb.query import glossary


@pytest.mark.parametrize("make", [actor_lexicon, glossary])
def test_a_question_is_matched_as_a_document_is(make, monkeypatch: pytest.MonkeyPatch) -> None:
    """Short texts are looked up position by position, long ones by the compiled regex: the
    same leftmost-longest, non-overlapping spans either way."""
    lexicon = make()
    terms = list(lexicon.han_terms)
    rng = random.Random(7)
    texts = [
        "".join(rng.choice([*terms, "的", "，", "US ", "美國"]) for _ in range(rng.randint(1, 30)))
        for _ in range(200)
    ]
    short = [list(lexicon.find(text)) for text in texts]
    monkeypatch.setattr(module, "SHORT_TEXT", 0)  # every text takes the regex path
    assert [list(lexicon.find(text)) for text in texts] == short


def test_the_longest_entry_at_the_leftmost_position_wins() -> None:
    lexicon = build_lexicon({"關稅": "a", "關稅收入": "b", "收入": "c", "入境": "d"})
    assert [(start, stop, value) for start, stop, value in lexicon.find("关税收入境")] == [
        (0, 4, "b")
    ]
