import re

import pytest

from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session, open_reader
from reindustry_kb.ask.show import show
from reindustry_kb.errors import RkbError
from reindustry_kb.settings import Settings


def test_show_prints_the_cited_lines_with_context(fake_index: Settings) -> None:
    hit = ask(Session.open(fake_index), "離岸風電", 1).hits[0]
    excerpt = show(open_reader(fake_index), hit.citation, context=1)
    cited = [text for number, text in excerpt.lines if hit.line_start <= number <= hit.line_end]
    assert hit.text in "\n".join(cited)
    assert excerpt.lines[0][0] == max(1, hit.line_start - 1)


@pytest.mark.parametrize(
    ("citation", "message"),
    [
        ("nonsense", "is not a citation"),
        ("missing_doc:L1-L2", "no document 'missing_doc'"),
        ("brief_en:L500-L501", "is outside them"),
        ("brief_en:L5-L3", "starts after it ends"),
        ("brief_en:p3:L1-L2", "brief_en has no pages; brief_en:p3:L1-L2 names page 3"),
    ],
)
def test_show_refuses_bad_citations(fake_index: Settings, citation: str, message: str) -> None:
    with pytest.raises(RkbError, match=re.escape(message)):
        show(open_reader(fake_index), citation)
