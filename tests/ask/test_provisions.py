"""The article saying when a law takes effect, who administers it, or until when it runs,
joins the candidates (ask/provisions.py)."""

from pathlib import Path

import pytest

from reindustry_kb.ask import provisions
from reindustry_kb.ask.provisions import asks_authority, asks_effect, with_provisions
from reindustry_kb.ask.second_stage import Scored, asked_kinds
from reindustry_kb.ask.session import Session
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import Passage
from reindustry_kb.settings import Settings
from reindustry_kb.text.normalize import fold_text

# Articles long enough to stand in passages of their own.
_FILLER = "采购人应当依法编制采购预算，公开采购信息，接受监督管理部门的检查，并如实反映情况。" * 3
LAW = "\n\n".join(
    [
        "中华人民共和国政府采购法",
        f"第一条 为了规范政府采购行为，制定本法。{_FILLER}",
        f"第二条 在中华人民共和国境内进行的政府采购适用本法。{_FILLER}",
        f"第三条 政府采购应当遵循公开透明原则。{_FILLER}",
        "第八十八条 本法自2003年1月1日起施行。",
    ]
)
# A Taiwan statute naming its competent authority in a short article among long ones.
STATUTE = "\n\n".join(
    [
        "產業創新條例",
        f"第一條 為促進產業創新，特制定本條例。{_FILLER}",
        "第三條 本條例所稱主管機關：在中央為經濟部；在直轄市為直轄市政府。",
        f"第四條 主管機關為維護公共安全，得通知業者停止營運。{_FILLER}",
        f"第五條 各中央目的事業主管機關應輔導產業創新。{_FILLER}",
    ]
)

# A Taiwan statute whose credit article gives a period's start and an extension, and whose
# last article gives the period's end: the answer to until when.
SUNSET = "\n\n".join(
    [
        "中小企業發展條例",
        f"第三十五條 中小企業自一百零三年起投資於研究發展之支出，得抵減應納稅額。{_FILLER}",
        f"第三十六條 前條之抵減，得於期間屆滿三個月前報經核准延長一次。{_FILLER}",
        f"第三十七條 主管機關應輔導中小企業研究發展。{_FILLER}",
        "第四十條 第三十五條施行期間，自一百零三年五月二十日起至一百十三年五月十九日止。",
    ]
)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("When did China's Labour Contract Law come into force?", True),
        ("From what date does China's Government Procurement Law apply?", True),
        ("What is the effective date of the order?", True),
        ("本法自何時施行？", True),
        ("这部法律从哪一天开始生效？", True),
        # how long until a contract takes effect is a span, not the law's date
        ("集體合同送交後，多久沒有異議就自動生效？", False),
        ("Is the law in force?", False),
        ("What does the law require of procuring entities?", False),
    ],
)
def test_a_question_asks_when_something_takes_effect(question: str, asks: bool) -> None:
    assert asks_effect(question) is asks


def _one_law(
    tmp_path: Path, text: str, marker: str
) -> tuple[Session, str, list[Scored], dict[str, Passage]]:
    """A library of one law (fake embedder): the session, the key of the passage holding
    `marker`, the other passages as ranked candidates, and those passages."""
    seeds = tmp_path / "laws"
    seeds.mkdir()
    (seeds / "law.txt").write_text(text, encoding="utf-8")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="fake")
    build_index(settings)
    session = Session.open(settings)
    passages = {p.passage_id: p for p in session.reader.iter_passages()}
    (target,) = [key for key, p in passages.items() if marker in p.text]
    others = [key for key in passages if key != target]
    candidates = [Scored(key, 0.9 - 0.1 * n, 0.5, 1.0) for n, key in enumerate(others)]
    return session, target, candidates, {key: passages[key] for key in others}


def test_the_effective_article_of_the_best_document_joins(tmp_path: Path) -> None:
    session, effective, candidates, shown = _one_law(tmp_path, LAW, "起施行")
    joined = with_provisions(session, "本法何時施行？", candidates, shown)
    # It joins first, at its document's best score lifted, and its passage is read.
    assert joined[0].key == effective and joined[0].score > candidates[0].score
    assert effective in shown and len(joined) == len(candidates) + 1
    # A question not asking when leaves the candidates as they were.
    assert with_provisions(session, "本法適用於何處？", candidates, dict(shown)) == candidates


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Which agency is the national competent authority for Taiwan's statute?", True),
        ("Which ministry is in charge of Taiwan's science parks?", True),
        ("Which State Council department oversees traditional Chinese medicine?", True),
        ("台湾气候变迁因应法的中央主管机关是哪个机关？", True),
        ("中國反洗錢工作由哪個部門負責監督管理？", True),
        # The authority as the question's subject, or who does one task: another article.
        ("台湾中小企业主管机关每年度终了须发布什么报告？", False),
        ("中國的全國綜合能源規劃由哪個部門負責組織編制？", False),
        ("The competent authority must report within 90 days.", False),
        ("What must the office in charge of the fund report each year?", False),
        ("What agency is in charge of the fund?", True),
    ],
)
def test_a_question_asks_which_body_is_in_charge(question: str, asks: bool) -> None:
    assert asks_authority(question) is asks


def test_the_article_naming_the_competent_authority_joins(tmp_path: Path) -> None:
    session, naming, candidates, shown = _one_law(tmp_path, STATUTE, "所稱主管機關")
    question = "Which agency is the competent authority of Taiwan's innovation statute?"
    joined = with_provisions(session, question, candidates, shown)
    # Only the article defining the authority joins (not 主管機關為維護…, one of its duties).
    assert joined[0].key == naming and len(joined) == len(candidates) + 1
    asked_when = "本條例何時施行？"  # no article says when: nothing joins
    assert with_provisions(session, asked_when, candidates, dict(shown)) == candidates


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Until when does the SME R&D credit apply?", True),
        ("研发抵减到什么时候为止？", True),
        ("By what date must the company apply?", True),
        # Due by when: a span answers as often, and the answer names its task.
        ("By when must the company apply?", False),
        ("How long may the credit be extended?", False),
        ("Which articles give the credit?", False),
    ],
)
def test_a_question_asks_until_when(question: str, asks: bool) -> None:
    assert ("end" in asked_kinds(question)) is asks


def test_the_article_ending_the_period_joins(tmp_path: Path) -> None:
    session, ending, candidates, shown = _one_law(tmp_path, SUNSET, "至一百十三年")
    question = "Until when does the SME R&D credit apply?"
    joined = with_provisions(session, question, candidates, shown)
    # The article that ends the period joins first (not the credit's start nor its extension).
    assert joined[0].key == ending and joined[0].score > candidates[0].score
    assert len(joined) == len(candidates) + 1
    # A question asking how long it may be extended asks a span: nothing joins.
    asked_span = "How long may the credit be extended?"
    assert with_provisions(session, asked_span, candidates, dict(shown)) == candidates


def test_only_the_last_few_passages_ending_a_period_join(tmp_path: Path) -> None:
    # A plan that sets a target for 2025 in every article, and ends its term in the last one.
    articles = [f"第{n}条 到2025年，第{n}项指标达到规划目标。{_FILLER}" for n in range(1, 9)]
    plan = "\n\n".join(
        ["发展规划", *articles, "第九条 本规划实施期限自2021年1月1日起至2025年12月31日止。"]
    )
    session, ending, candidates, shown = _one_law(tmp_path, plan, "实施期限")
    joined = with_provisions(session, "本规划到什么时候结束？", candidates[:2], shown)
    new = [result.key for result in joined if result.key not in {c.key for c in candidates[:2]}]
    assert len(new) == provisions.JOIN and ending in new  # the last ones, the answer among them


# A fund's rules: its sources in one article, its uses in the next.
FUND = "\n\n".join(
    [
        "石油基金收支保管及運用辦法",
        f"第一條 為穩定石油供應，特訂定本辦法。{_FILLER}",
        "第四條 本基金之來源如下：一、依本法收取之金額。二、本基金之孳息收入。",
        f"第五條 本基金之用途如下：一、政府安全儲油。二、偏遠地區油價補貼。{_FILLER}",
    ]
)


def test_the_article_naming_a_funds_sources_joins(tmp_path: Path) -> None:
    session, naming, candidates, shown = _one_law(tmp_path, FUND, "來源如下")
    question = "Where does the money in Taiwan's petroleum fund come from?"
    joined = with_provisions(session, question, candidates, shown)
    # Its sources join first, not its uses; a question asking nothing of them joins nothing.
    assert joined[0].key == naming and len(joined) == len(candidates) + 1
    asked_other = "Who manages the petroleum fund?"
    assert with_provisions(session, asked_other, candidates, dict(shown)) == candidates


def test_the_article_naming_a_funds_uses_comes_first(tmp_path: Path) -> None:
    session, naming, candidates, shown = _one_law(tmp_path, FUND, "用途如下")
    joined = with_provisions(session, "What may the petroleum fund be spent on?", candidates, shown)
    assert joined[0].key == naming  # its uses, not its sources


# A Taiwan statute whose penalties cite the articles they punish by number only.
LABOUR = "\n\n".join(
    [
        "勞動基準法",
        f"第 5 條\n雇主不得以強暴、脅迫、拘禁或其他非法之方法，強制勞工從事勞動。{_FILLER}",
        f"第 6 條\n任何人不得介入他人之勞動契約，抽取不法利益。{_FILLER}",
        f"第 7 條\n雇主應置備勞工名卡。{_FILLER}{_FILLER}",
        "第 75 條\n違反第五條規定者，處五年以下有期徒刑、拘役或科或併科新臺幣七十五萬元以下罰金。"
        f"{_FILLER}{_FILLER}",
        "第 76 條\n違反第六條規定者，處三年以下有期徒刑、拘役或科或併科新臺幣四十五萬元以下罰金。"
        f"{_FILLER}{_FILLER}",
        # A list of violations under one penalty: its items are look-alikes, none joins.
        "第 77 條\n有下列各款情事之一者，處新臺幣二萬元以上三十萬元以下罰鍰：\n"
        "一、違反第七條規定。",
    ]
)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("What punishment does Taiwan set for forced labour?", True),
        ("What fine does an employer face?", True),
        ("強迫勞工工作會被判什麼刑罰？", True),
        ("违反规定要罚多少钱？", True),
        ("What must the employer keep on file?", False),
        ("中國出口經營者和管控名單上的進口商交易，罰款是違法經營額的幾倍？", True),
        # A penalty as the question's subject, not what it asks.
        ("Within how many days must the bureau decide an objection to a trade sanction?", False),
        ("在中國受過治安處罰的人，多少年內不能擔任關鍵崗位？", False),
    ],
)
def test_a_question_asks_for_a_penalty(question: str, asks: bool) -> None:
    assert bool(provisions.ASKS_PENALTY.search(fold_text(question))) is asks


def test_the_penalty_citing_the_asked_article_joins(tmp_path: Path) -> None:
    session, penalty, _, shown = _one_law(tmp_path, LABOUR, "違反第五條")
    by_text = {p.text.split("\n")[0]: key for key, p in shown.items()}
    # The first stage found the prohibition (第 5 條) first and the other penalty last.
    order = ["第 5 條", "第 7 條", "第 6 條", "第 76 條"]
    ranked = [Scored(by_text[h], 0.9 - 0.1 * n, 0.5, 1.0) for n, h in enumerate(order)]
    question = "What punishment does Taiwan's labour law set for forced labour?"
    joined = with_provisions(session, question, ranked, shown)
    # The article punishing 第 5 條 joins just above it; the one punishing 第 6 條 rises above
    # 第 6 條.
    assert [r.key for r in joined[:2]] == [penalty, by_text["第 5 條"]]
    assert joined[0].score == pytest.approx(0.9 + provisions.LIFT)
    lifted = {r.key: r.score for r in joined}
    assert lifted[by_text["第 76 條"]] == pytest.approx(0.7 + provisions.LIFT)
    assert by_text["第 77 條"] not in lifted  # 第 7 條 is asked, but only as a list's item
    # Asked something else, nothing joins; asked with a penalty first, nothing joins either.
    assert with_provisions(session, "What must employers keep?", ranked, dict(shown)) == ranked
    first_penalty = [ranked[3], *ranked[:3]]
    assert with_provisions(session, question, first_penalty, dict(shown)) == first_penalty


def test_the_penalty_citing_the_asked_article_joins_in_english(tmp_path: Path) -> None:
    # An official English translation cites as the Chinese does: `violates Article 5`.
    filler = " The competent authority shall keep records of each case and report them." * 4
    act = "\n\n".join(
        [
            "Labor Standards Act",
            f"Article 5\nAn employer shall not force a worker to work by violence.{filler}",
            f"Article 7\nAn employer shall keep a register of its workers.{filler}",
            "Article 75\nA person who violates Article 5 shall be punished with imprisonment for"
            f" not more than five years.{filler}",
        ]
    )
    session, penalty, _, shown = _one_law(tmp_path, act, "violates Article 5")
    by_text = {p.text.split("\n")[0]: key for key, p in shown.items()}
    ranked = [Scored(by_text["Article 5"], 0.9, 0.5, 1.0)]
    question = "What punishment does Taiwan's labour law set for forced labour?"
    joined = with_provisions(session, question, ranked, shown)
    assert [r.key for r in joined] == [penalty, by_text["Article 5"]]
