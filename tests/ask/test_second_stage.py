from pathlib import Path

import pytest

from reindustry_kb.ask import places, second_stage
from reindustry_kb.ask.places import long_documents
from reindustry_kb.ask.query import analyse
from reindustry_kb.ask.second_stage import Scored, Weights, asked_kinds, ending_kinds
from reindustry_kb.ask.session import Session
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import Passage
from reindustry_kb.settings import Settings
from reindustry_kb.text.dates import written_years
from reindustry_kb.text.normalize import fold_text

# One passage each: the same plan, and what each adds (a date, an amount, an agency, a span
# of time).
DOCUMENTS = {
    "plain": "The grid security plan covers the substations of the northern region.",
    "dated": "The grid security plan covers the northern region from March 1, 2027.",
    "counted": "The grid security plan covers the northern region with $40 billion.",
    "acting": "The grid security plan covers the northern region under the Department of Energy.",
    "lasting": "The grid security plan covers the northern region for ninety days.",
}


@pytest.fixture
def library(tmp_path: Path) -> Session:
    return _library(tmp_path, DOCUMENTS)


def _library(tmp_path: Path, texts: dict[str, str]) -> Session:
    """A library of one file a text, named by its key (fake embedder)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in texts.items():
        (seeds / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="fake")
    build_index(settings)
    return Session.open(settings)


def _passages(session: Session) -> dict[str, Passage]:
    return {p.doc_id: p for p in session.reader.iter_passages()}


def _tied(*passages: Passage) -> list[Scored]:
    return [Scored(key=p.passage_id, score=0.5, dense=None, lexical=None) for p in passages]


def _order(
    session: Session, question: str, candidates: list[Scored], weights: Weights
) -> list[str]:
    passages = {p.passage_id: p for p in session.reader.iter_passages()}
    analysed = analyse(question, session.terms)
    ranked = second_stage.second_stage(session, analysed, candidates, passages, weights)
    return [passages[result.key].doc_id for result in ranked]


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("When does the plan take effect?", {"date"}),
        ("本法自何時施行？", {"date"}),
        ("该计划的截止日期是哪一天？", {"end"}),
        ("How much did the program cost?", {"statistic"}),
        ("補助金額上限為多少？", {"statistic"}),
        ("罚款比例是多少", {"statistic"}),
        # Who-questions ask for no kind (an actor claim barely tells their answer apart).
        ("Which agency runs the registry?", set()),
        ("由哪個機關負責審查？", set()),
        ("谁负责监督？", set()),
        ("Which agency must decide by what date?", {"end"}),
        ("What does the plan cover?", set()),
        ("計畫涵蓋哪些區域？", set()),
        ("How does the Price Law define a business operator?", {"definition"}),
        ("What does 'trade' mean in the Foreign Trade Act?", {"definition"}),
        ("花东地区发展条例所称的花东地区指哪里？", {"definition"}),
        ("本法所稱的職業訓練是什麼意思？", {"definition"}),
        # "the term" of an office is a span of time, not a word to define
        ("What is the term of the board's members?", set()),
    ],
)
def test_a_question_asks_for_dates_or_amounts(question: str, kinds: set[str]) -> None:
    assert asked_kinds(question) == kinds


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        # A date that ends something: a passage holding only a start or a span does not answer.
        ("Under the 2017 amendment, until when does the R&D credit apply?", {"end"}),
        ("这项行政命令在什么时候终止？", {"end"}),
        ("若未獲延長，該命令到哪一天失效？", {"end"}),
        ("On what date does the tax year end?", {"end"}),
        ("扣缴义务人最迟要在几月几日前填发凭单？", {"end"}),
        # Due by when: a span within which it is due answers as well.
        ("By when must the Director report on the workforce?", {"due"}),
        ("What is the deadline for the Secretary's strategy?", {"due"}),
        ("工作小组最晚要在何时前向总统报告？", {"due"}),
        # A span asked for, or no date at all: no ending date.
        ("How long does the permit last before it expires?", {"date"}),
        ("劳动合同在什么情况下终止？", set()),
        ("When can a Chinese employer terminate a contract?", {"date"}),
        ("火燒島一名的來源可以追溯至什麼時候？", {"date"}),
        ("What fine does a company face for missing the deadline?", {"date", "statistic"}),
        # The ending is not what `when` asks about.
        ("What happens when the permit expires?", {"date"}),
        ("疫情结束后何时恢复营业？", {"date"}),
        ("When does the Secretary report to end users?", {"date"}),
        ("代表团何时前往华盛顿？", {"date"}),
        ("Until when can companies claim the credit?", {"end"}),
        ("By when may a worker file a complaint?", {"due"}),
    ],
)
def test_a_question_asks_for_a_date_that_ends_or_falls_due(question: str, kinds: set[str]) -> None:
    assert asked_kinds(question) == kinds


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Where does the money in Taiwan's petroleum fund come from?", {"source"}),
        ("What are the sources of the farmers' health insurance fund?", {"source"}),
        ("How is the energy stabilisation fund financed?", {"source"}),
        ("電價穩定基金的錢可以從哪些地方來？", {"source"}),
        ("中小企业发展基金的资金来源有哪些？", {"source"}),
        # The source of something other than money.
        ("Where does the name Formosa come from?", set()),
        ("这项规则的来源是什么？", set()),
        # What it may be spent on.
        ("What may Taiwan's petroleum fund be spent on?", {"use"}),
        ("What does China use its renewable energy fund for?", {"use"}),
        ("台湾金融业特别准备金可以用在哪些方面？", {"use"}),
        ("这笔预算的用途是什么？", {"use"}),
        ("What is the use of this rule?", set()),
    ],
)
def test_a_question_asks_where_a_funds_money_comes_from(question: str, kinds: set[str]) -> None:
    assert asked_kinds(question) == kinds


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("施行期間，自一百零三年七月一日起至一百十三年十二月三十一日止。", {"end", "due"}),
        ("纳税年度自公历1月1日起至12月31日止。", {"end", "due"}),
        ("名卡應保管至勞工離職後五年。", {"end", "due"}),
        ("於當年度九月三十日前撥付禁伐補償金。", {"end", "due"}),
        ("到2025年，非化石能源消费比重达到20%左右。", {"end", "due"}),
        ("This order shall terminate on January 20, 2021.", {"end", "due"}),
        ("The Task Force shall report not later than May 1, 2001.", {"end", "due"}),
        ("cut 3 percent annually through the end of fiscal year 2015", {"end", "due"}),
        ("應於收到異議書之次日起二十日內決定之。", {"due"}),
        ("(B) within 60 days of the date of this order, provide a report", {"due"}),
        ("本法自2008年1月1日起施行。", set()),
        ("人均收入回到2010年的水平。", set()),  # 到 a year inside a clause: no end
        ("会议应当至少在开会后三日内通知。", {"due"}),  # 至少 is no 至…止
        ("甚至在公布后三年。", set()),
        ("会议召开二十日前通知会员。", set()),  # a span before, not a day of the calendar
        ("The board may terminate at any time.", set()),
        ("This section sunsets on June 1, 2027.", {"end", "due"}),
        ("The credit shall not apply after December 31, 2025.", {"end", "due"}),
        ("勞工工作年資達到十年者，加給一日。", set()),
        ("beginning 9:30 a.m. eastern standard time on January 11, 2021", set()),
    ],
)
def test_a_date_that_ends_or_falls_due_is_found_in_each_script(text: str, kinds: set[str]) -> None:
    assert ending_kinds(fold_text(text)) == kinds


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("第 4 條 本基金之來源如下：一、依本法收取之金額。", True),
        ("中小企業發展基金之來源如左：一、中央政府逐年編列預算撥充。", True),
        ("可再生能源发展基金，资金来源包括国家财政年度安排的专项资金", True),
        ("The sources of the Fund shall be as follows: (1) appropriations", True),
        ("第 5 條 本基金之用途如下：一、政府安全儲油。", False),
        ("the source of funding for the investment", False),
    ],
)
def test_a_passage_naming_a_funds_sources_is_found(text: str, names: bool) -> None:
    assert bool(second_stage.SOURCES.search(fold_text(text))) is names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("第 5 條 本基金之用途如下：一、政府安全儲油。", True),
        ("中央主管機關應設置中小企業發展基金，其用途範圍如左：", True),
        ("可再生能源发展基金用于补偿本法第二十条规定的差额费用", True),
        ("The Fund shall be used for the following purposes:", True),
        ("第 4 條 本基金之來源如下：一、依本法收取之金額。", False),
        ("the proceeds may be used for any purpose", False),
    ],
)
def test_a_passage_naming_a_funds_uses_is_found(text: str, names: bool) -> None:
    assert bool(second_stage.USES.search(fold_text(text))) is names


@pytest.mark.parametrize(
    ("question", "holder", "kind"),
    [
        ("When does the grid security plan cover the northern region?", "dated", "date"),
        ("How much does the grid security plan cover?", "counted", "statistic"),
    ],
)
def test_the_passage_holding_what_is_asked_comes_first(
    library: Session, question: str, holder: str, kind: str
) -> None:
    passages = _passages(library)
    claims = library.reader.claims_by_passage([p.passage_id for p in passages.values()])
    assert kind in {claim.kind for claim in claims[passages[holder].passage_id]}
    assert kind not in {claim.kind for claim in claims[passages["plain"].passage_id]}
    tied = _tied(passages["plain"], passages[holder])  # equal first-stage scores
    only_kind = Weights(kind=0.1)
    assert _order(library, question, tied, only_kind) == [holder, "plain"]
    # A question that asks for no such thing leaves the tie in library order.
    asked_nothing = "What does the grid security plan cover?"
    assert _order(library, asked_nothing, tied, only_kind) == sorted([holder, "plain"])


def test_a_who_question_leaves_the_passage_naming_an_actor_where_it_was(
    library: Session,
) -> None:
    # The old rule put the passage naming an agency first; the name the alias table knows is
    # no sign it answers "who" (DRCD: 新羅 and 馬丁范布倫 lost to neighbours naming others).
    passages = _passages(library)
    claims = library.reader.claims_by_passage([passages["acting"].passage_id])
    assert "actor" in {claim.kind for claim in claims[passages["acting"].passage_id]}
    ahead = [  # plain a little ahead of acting, by less than the kind's weight
        Scored(key=passages["plain"].passage_id, score=0.5, dense=None, lexical=None),
        Scored(key=passages["acting"].passage_id, score=0.45, dense=None, lexical=None),
    ]
    for question in ("Which agency runs the grid security plan?", "谁负责电网安全计划？"):
        assert _order(library, question, ahead, Weights(kind=0.1)) == ["plain", "acting"]


@pytest.mark.parametrize(
    ("text", "timed"),
    [
        ("應於三十日內提出申請", True),
        ("许可有效期间为二年", True),
        ("within thirty (30) days of the date of this order", True),
        ("effective March 1, 2027", True),
        ("in fiscal year 2025", True),
        ("第十二條 主管機關為經濟部", False),
        ("Sec. 3. Policy. The Secretary shall consult the States.", False),
    ],
)
def test_a_span_of_time_is_found_in_each_script(text: str, timed: bool) -> None:
    assert bool(second_stage.TIME.search(fold_text(text))) is timed


def test_a_how_long_question_prefers_a_span_of_time(library: Session) -> None:
    # Durations are no date claims; the passage that holds one still answers "how long".
    passages = _passages(library)
    claims = library.reader.claims_by_passage([passages["lasting"].passage_id])
    assert "date" not in {claim.kind for claim in claims[passages["lasting"].passage_id]}
    tied = _tied(passages["plain"], passages["lasting"])
    question = "How long does the grid security plan cover the northern region?"
    assert _order(library, question, tied, Weights(kind=0.1)) == ["lasting", "plain"]


def test_the_passage_holding_the_question_in_one_window_moves_up(library: Session) -> None:
    passages = _passages(library)
    tied = _tied(passages["counted"], passages["plain"])
    question = "the substations of the northern region"
    assert _order(library, question, tied, Weights(proximity=0.2)) == ["plain", "counted"]
    # A question the index has no word of leaves the order alone.
    assert _order(library, "zzzz", tied, Weights(proximity=0.2)) == ["counted", "plain"]


def _two_documents() -> tuple[dict[str, Passage], list[Scored]]:
    """Document a's passages first (0.9) and third (0.45), b's second (0.5)."""

    def passage(doc_id: str, number: int) -> Passage:
        return Passage(
            passage_id=f"{doc_id}#p{number:03d}",
            doc_id=doc_id,
            ordinal=number,
            text="x",
            char_start=0,
            char_end=1,
            line_start=1,
            line_end=1,
        )

    passages = {p.passage_id: p for p in (passage("a", 1), passage("a", 2), passage("b", 1))}
    candidates = [
        Scored(key="a#p001", score=0.9, dense=None, lexical=None),
        Scored(key="b#p001", score=0.5, dense=None, lexical=None),
        Scored(key="a#p002", score=0.45, dense=None, lexical=None),
    ]
    return passages, candidates


def test_a_passage_stands_as_its_document_does_among_the_candidates() -> None:
    passages, candidates = _two_documents()
    found = second_stage.document_scores(candidates, passages)
    assert found == {"a#p001": 1.0, "b#p001": 0.0, "a#p002": 1.0}


def test_only_a_long_document_stands_apart_from_its_passages(
    library: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    passages, candidates = _two_documents()
    found = second_stage.document_scores(candidates, passages, long={"b"})
    assert found == {"a#p001": 0.0, "b#p001": 0.0, "a#p002": 0.0}
    found = second_stage.document_scores(candidates, passages, long={"a"})
    assert found == {"a#p001": 1.0, "b#p001": 0.0, "a#p002": 1.0}
    # The library's documents are one passage each: none is long, unless long means one.
    documents = library.reader.documents_by_id(set(DOCUMENTS))
    assert long_documents(documents) == set()
    monkeypatch.setattr(places, "LONG_DOCUMENT", 1)
    assert long_documents(documents) == set(DOCUMENTS)


def test_a_document_lifts_its_best_passage_only(
    library: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    passages, candidates = _two_documents()
    monkeypatch.setattr(second_stage, "long_documents", lambda *_: {"a", "b"})
    analysed = analyse("anything", library.terms)
    ranked = second_stage.second_stage(
        library, analysed, candidates, passages, Weights(document=1.0)
    )
    # a#p001 is lifted by its document's standing (1.0); a#p002 is not, so it stays below b.
    assert [(r.key, round(r.score, 3)) for r in ranked] == [
        ("a#p001", 1.9),
        ("b#p001", 0.5),
        ("a#p002", 0.45),
    ]


def test_the_candidates_below_the_depth_keep_their_order(
    library: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(second_stage, "DEPTH", 2)
    passages = _passages(library)
    order = ["counted", "plain", "acting", "dated", "lasting"]
    candidates = [
        Scored(key=passages[name].passage_id, score=1.0 - i / 100, dense=None, lexical=None)
        for i, name in enumerate(order)
    ]
    question = "the substations of the northern region"
    ranked = _order(library, question, candidates, Weights(proximity=0.2))
    # The two re-scored swap (plain holds the question); the two below are left as they were.
    assert ranked == ["plain", "counted", "acting", "dated", "lasting"]


def test_another_places_document_moves_down(tmp_path: Path) -> None:
    texts = {
        "roc_en": "Article 1 This Act of the Republic of China (Taiwan) takes effect at once.",
        "prc": "第一条 中华人民共和国出口管制法在中国境内自2020年12月1日起施行。",
        "unplaced": "Article 9 This Act takes effect when promulgated.",
    }
    session = _library(tmp_path, texts)
    found = _passages(session)
    tied = _tied(found["roc_en"], found["unplaced"], found["prc"])
    only_place = Weights(place=0.5)
    # Asked about China: Taiwan's act (the Republic of China) is another place's; a text
    # naming no place says nothing.
    question = "When does China's export control law take effect?"
    assert _order(session, question, tied, only_place) == ["prc", "unplaced", "roc_en"]
    assert (
        _order(session, "When does the Chinese law take effect?", tied, only_place)[-1] == "roc_en"
    )
    # Asked about Taiwan, the PRC's law goes down; asked about no place, nothing moves.
    assert _order(session, "When does Taiwan's act take effect?", tied, only_place)[-1] == "prc"
    unasked = _order(session, "When does the act take effect?", tied, only_place)
    assert unasked == _order(session, "When does the act take effect?", tied, Weights())


def test_a_long_documents_passage_counts_its_kind_in_full(
    library: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    passages = _passages(library)
    analysed = analyse("When does the grid security plan cover the northern region?", library.terms)
    dated = _tied(passages["dated"])
    found = second_stage.evidence(
        library, analysed, dated, {p.passage_id: p for p in passages.values()}
    )
    assert found[passages["dated"].passage_id].kind == second_stage.SHORT_KIND < 1.0
    monkeypatch.setattr(places, "LONG_DOCUMENT", 1)  # every one-passage document is long
    found = second_stage.evidence(
        library, analysed, dated, {p.passage_id: p for p in passages.values()}
    )
    assert found[passages["dated"].passage_id].kind == 1.0


def test_a_long_chinese_document_naming_no_place_is_its_scripts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {
        "hant": "第 9 條 本法自公布日施行。",  # Taiwan's, naming no place
        "hans": "第九条 本法自公布之日起施行。",  # the PRC's, naming no place
        "english": "Article 9 This Act takes effect when promulgated.",
    }
    session = _library(tmp_path, texts)
    found = _passages(session)
    tied = _tied(found["hant"], found["hans"], found["english"])
    only_place = Weights(place=0.5)
    china, taiwan = "When does China's law take effect?", "When does Taiwan's act take effect?"
    # Short documents: the script says nothing, the tie stays in library order.
    assert _order(session, china, tied, only_place) == ["english", "hans", "hant"]
    assert _order(session, taiwan, tied, only_place) == ["english", "hans", "hant"]
    # Long, each is its script's: the other place's goes down; English text implies none.
    monkeypatch.setattr(places, "LONG_DOCUMENT", 1)
    session.places.clear()  # the session's memo read them as short
    assert _order(session, china, tied, only_place) == ["english", "hans", "hant"]
    assert _order(session, taiwan, tied, only_place) == ["english", "hant", "hans"]


def test_the_passage_holding_the_asked_year_comes_first_in_any_calendar(
    tmp_path: Path,
) -> None:
    # A Taiwan law writes its years in the ROC calendar: 中華民國一百零六年 is 2017.
    session = _library(
        tmp_path,
        {
            "a_other": "第十一條 本條例修正之條文，適用至一百零八年十二月三十一日止。",
            "b_written": "The credit applies from 2017 to 2029 under the amendment.",
            "c_amended": "第十條 本條例中華民國一百零六年十一月修正之條文，適用至一百十八年止。",
        },
    )
    passages = _passages(session)
    tied = _tied(*passages.values())
    only_year = Weights(year=0.1)
    question = "Under the November 2017 amendment, until when does the credit apply?"
    assert _order(session, question, tied, only_year) == ["b_written", "c_amended", "a_other"]
    assert written_years("２０１７年修正的條文適用到何時？") == {"2017"}  # full width
    # A question naming no year leaves the tie in library order.
    unasked = "Until when does the credit apply?"
    assert _order(session, unasked, tied, only_year) == ["a_other", "b_written", "c_amended"]


@pytest.mark.parametrize(
    ("text", "defines"),
    [
        ("本法所稱職業訓練，指為培養及增進工作技能而依本法實施之訓練。", True),
        ("本法所称经营者，是指从事生产、经营商品的法人。", True),
        ('(c) The term "foreign adversary" means any foreign government.', True),
        ('"Person" means an individual or entity.', True),
        ("本法用词的含义如下：", True),
        ("職業訓練機構應依本法辦理訓練。", False),
        ("The Secretary shall define the terms of the program within 90 days.", False),
    ],
)
def test_a_passage_that_defines_a_term_is_found_in_each_script(text: str, defines: bool) -> None:
    assert bool(second_stage.DEFINES.search(fold_text(text))) is defines


def test_a_definition_question_prefers_the_passage_that_defines(tmp_path: Path) -> None:
    session = _library(
        tmp_path,
        {
            "a_uses": "The northern region receives grid security funding every year.",
            "b_defines": 'The term "northern region" means the counties north of the river.',
        },
    )
    passages = _passages(session)
    tied = _tied(*passages.values())
    question = "How does the plan define the northern region?"
    assert _order(session, question, tied, Weights(kind=0.1)) == ["b_defines", "a_uses"]


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("What duty rates does China's 2024 Tariff Law provide for?", {"2024"}),
        ("Which order did the 2012 defense resources preparedness order revoke?", {"2012"}),
        ("What did the US’s 2019 order prohibit?", {"2019"}),
        ("美國2015年聯邦永續行政命令撤銷了哪一項2007年的行政命令？", {"2015", "2007"}),
        ("2018年修订的中小企业促进法何时施行？", {"2018"}),
        ("In 2024 what did the law say about tariffs?", set()),  # no determiner before it
        ("What did the 2025 budget allocate?", set()),  # a budget is no law
        ("卡特在1980年競選時輸給了哪一個人而無法繼續連任？", set()),  # 无法 is no law
        ("張學良於1936年軍法會審後遷往哪一個公館？", set()),  # a verb between
    ],
)
def test_a_year_written_before_a_laws_name_names_it(question: str, years: set[str]) -> None:
    assert second_stage.naming_years(question) == years


def test_a_year_naming_the_document_is_not_the_passages_own(tmp_path: Path) -> None:
    # Every passage of the 2024 law's opening holds 2024; the question's 2024 names the law.
    session = _library(
        tmp_path,
        {
            "a_rates": "---\ndate: 2024-04-26\n---\n2024年4月26日通过\n\n"
            "第一条 进口关税设置最惠国税率、协定税率。",
            "b_other": "---\ndate: 2023-05-01\n---\n2023年5月1日通过\n\n"
            "第一条 本法所称关税，于2024年起征收。",
        },
    )
    passages = _passages(session)
    dated = session.reader.documents_by_id({"a_rates", "b_other"})
    assert (dated["a_rates"].date, dated["b_other"].date) == ("2024-04-26", "2023-05-01")
    tied = _tied(passages["a_rates"], passages["b_other"])
    by_key = {p.passage_id: p for p in passages.values()}

    def years(question: str) -> list[float]:
        found = second_stage.evidence(session, analyse(question, session.terms), tied, by_key)
        return [found[passages[name].passage_id].year for name in ("a_rates", "b_other")]

    # Named as the law's year: not its passages' evidence; another document's 2024 still is.
    assert years("What rates does China's 2024 Tariff Law set?") == [0.0, 1.0]
    # Asked as a year: evidence for both.
    assert years("What tariffs apply from 2024?") == [1.0, 1.0]


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("How often must the agency review the purchase rates?", {"frequency"}),
        ("How frequently are the networks tested?", {"frequency"}),
        ("How many times a year does the council meet?", {"frequency"}),
        ("食品从业人员多久要做一次体检？", {"frequency"}),  # 多久 alone asks how long
        ("核電廠每隔多久須做一次安全評估？", {"frequency"}),
        ("東羅馬時期每幾年普查一次土地？", {"frequency"}),
        ("報告以什麼頻率發布？", {"frequency"}),
        ("可見光頻率的峰值可以測量什麼？", set()),  # light's frequency
        ("食品从业人员的健康证明有效期多久？", {"date"}),
    ],
)
def test_a_question_asks_how_often(question: str, kinds: set[str]) -> None:
    assert asked_kinds(question) == kinds


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("售電業應每年訂定節約用電計畫", True),
        ("每三年編撰溫室氣體國家報告", True),
        ("至少每季度向社会公开一次", True),
        ("按年度监测非化石能源开发利用情况", True),
        ("其工作班次，每週更換一次", True),
        ("Sector-Specific Agencies shall report annually to the President", True),
        ("a safety assessment shall be implemented every ten years", True),
        ("training at least once a calendar year", True),
        ("每週工作時間不得超過四十小時", False),  # a week's hours: a unit, not how often
        ("每日正常工作時間不得超過八小時", False),
        ("应当自收到申请之日起二十日内作出决定", False),
        ("within 90 days of the date of this order", False),
    ],
)
def test_a_passage_saying_how_often_is_found_in_each_script(text: str, says: bool) -> None:
    assert bool(second_stage.FREQUENCY.search(fold_text(text))) is says


def test_a_how_often_question_prefers_the_passage_saying_how_often(tmp_path: Path) -> None:
    session = _library(
        tmp_path,
        {
            "a_deadline": "The agency shall review the purchase rates within 90 days.",
            "b_often": "The agency shall review the purchase rates every two years.",
        },
    )
    passages = _passages(session)
    tied = _tied(*passages.values())
    question = "How often must the agency review the purchase rates?"
    assert _order(session, question, tied, Weights(kind=0.1)) == ["b_often", "a_deadline"]
    # Asked how long instead, a span answers either way: the tie stays.
    asked = "How long does the agency have to review the purchase rates?"
    assert _order(session, asked, tied, Weights(kind=0.1)) == ["a_deadline", "b_often"]


def test_the_passage_holding_a_quantity_the_question_names_comes_first(tmp_path: Path) -> None:
    # Two look-alike notice periods; the question names the service that sets one of them.
    session = _library(
        tmp_path,
        {
            "a_short": "繼續工作三個月以上一年未滿者，於十日前預告之。",
            "b_long": "繼續工作三年以上者，於三十日前預告之。",
        },
    )
    passages = _passages(session)
    tied = _tied(*passages.values())
    only_quantity = Weights(quantity=0.1)
    question = "How much notice is owed to a worker with three years of service or more?"
    assert _order(session, question, tied, only_quantity) == ["b_long", "a_short"]
    # A question naming no quantity leaves the tie in library order.
    unasked = "How much notice is owed to a worker?"
    assert _order(session, unasked, tied, only_quantity) == ["a_short", "b_long"]
