import pytest

from reindustry_kb.claims.actors import extract_actors, fold_people, home_country
from reindustry_kb.claims.extract import extract_claims
from reindustry_kb.claims.lexicon import canonical_actor
from reindustry_kb.ingest.segment import segment
from reindustry_kb.ingest.sources import Source
from reindustry_kb.models import ActorClaim, DateClaim, Document
from reindustry_kb.text.normalize import fold


def actors(text: str, people: list[str] | None = None) -> list[tuple[str, str, str]]:
    folded = fold(text, lower=False)
    out = []
    for found in extract_actors(folded.text, fold_people(people or [])):
        start, end = folded.span_to_original(found.start, found.end)
        out.append((text[start:end], found.fields["canonical"], found.fields["actor_type"]))
    return out


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("輝達", "Nvidia"),
        ("英偉達", "Nvidia"),
        ("英伟达", "Nvidia"),
        ("NVIDIA", "Nvidia"),
        ("台積電", "TSMC"),
        ("台积电", "TSMC"),
        ("TSMC", "TSMC"),
        ("商務部", "U.S. Department of Commerce"),
        ("Department of Commerce", "U.S. Department of Commerce"),
        ("川普", "Donald Trump"),
        ("特朗普", "Donald Trump"),
        ("Trump", "Donald Trump"),
    ],
)
def test_aliases_share_one_canonical_name(alias: str, canonical: str) -> None:
    assert canonical_actor(alias) == canonical
    assert actors(f"據報導，{alias}宣布新計畫。") == [(alias, canonical, actors(alias)[0][2])]


def test_table_types_and_longest_match() -> None:
    found = actors("美國國際開發金融公司與美國進出口銀行合作")
    assert found == [
        (
            "美國國際開發金融公司",
            "U.S. International Development Finance Corporation",
            "government",
        ),
        ("美國進出口銀行", "Export-Import Bank of the United States", "government"),
    ]
    assert actors("Axios 記者") == [("Axios", "Axios", "media")]
    assert actors("us and them") == []  # US is a country, us is not


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("哈佛甘迺迪學院研究員朱宸佐向記者分析", "朱宸佐", "person"),
        ("前立委許毓仁認為台灣需要轉型", "許毓仁", "person"),
        ("同業公會理事長劉揚偉日前提出", "劉揚偉", "person"),
        ("经济学家王小明表示", "王小明", "person"),
        ("根據 Lutkin 部長的說法", "Lutkin", "person"),
        ("Secretary Jane Alvarez said tariffs", "Jane Alvarez", "person"),
        ("Jane Smith said the plan would work", "Jane Smith", "person"),
        ("史丹佛台灣科學技術研究中心執行顧問", "史丹佛台灣科學技術研究中心", "organization"),
        ("the Institute for Progress argued", "Institute for Progress", "organization"),
        ("the Department of Agriculture said", "Department of Agriculture", "organization"),
        ("The Federal Reserve Board said", "Federal Reserve Board", "organization"),
        (
            "the General Services Administration shall",
            "General Services Administration",
            "organization",
        ),
        (
            "第十二届全国人民代表大会常务委员会第十次会议通过",
            "全国人民代表大会常务委员会",
            "organization",
        ),
    ],
)
def test_rules_find_actors_absent_from_the_table(text: str, name: str, kind: str) -> None:
    assert (name, kind) in {(n, k) for n, _, k in actors(text)}


def test_the_documents_own_speakers_are_people() -> None:
    assert ("Ada Wong", "Ada Wong", "person") in actors("正如 Ada Wong 所說", people=["Ada Wong"])


@pytest.mark.parametrize(
    "text",
    [
        "一些公司和半導體公司",
        "他認為如此",
        "全球科技競爭格局",
        "政府表示",
        "The Committee shall meet",
    ],
)
def test_no_actor_from_generic_phrases(text: str) -> None:
    assert actors(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("China's state-backed model", ("China", "China")),
        ("the Trump-era DFC", ("Trump", "Donald Trump")),
        ("the U.S. should act.", ("U.S.", "United States")),
        ("investment in the U.S.", ("U.S.", "United States")),
        ("Congress.", ("Congress", "U.S. Congress")),
    ],
)
def test_latin_aliases_inside_possessives_compounds_and_sentence_ends(
    text: str, expected: tuple[str, str]
) -> None:
    assert expected in [(name, canonical) for name, canonical, _ in actors(text)]


def names(text: str) -> list[str]:
    """The actors' names as written, in the order of the text."""
    return sorted((name for name, _, _ in actors(text)), key=text.index)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # table names with a conjunction, a title or a descriptor before them
        ("而國會預算辦公室估計", "國會預算辦公室"),
        ("現任華府智庫哈德遜研究所資深研究員", "哈德遜研究所"),
        # names the rules find, with what stands before them cut off
        ("現任華府智庫東亞政策研究所研究員", "東亞政策研究所"),
        ("根據經濟研究院的報告", "經濟研究院"),
        ("且經牙醫師公會全國聯合會推薦", "牙醫師公會全國聯合會"),
        ("應加入代理人商業同業公會", "代理人商業同業公會"),
        ("本局為辦理研究事項，設研究發展委員會", "研究發展委員會"),
        ("2007年，他进入多伦多大学", "多伦多大学"),
        ("第九届全国人民代表大会常务委员会第十一次会议", "全国人民代表大会常务委员会"),
        # a function character that begins a word of the name stays (和平)
        ("和平研究基金會指出", "和平研究基金會"),
        ("上图是亚利桑那州立大学", "亚利桑那州立大学"),
    ],
)
def test_words_glued_before_a_name_are_cut_off(text: str, name: str) -> None:
    assert name in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "本局因業務需要，得設各種委員會",  # 各種 委員會: no name
        "擔任有關公會現職人員",  # 有關 公會: a description
        "可重新強化大學與",  # an adverb, a verb and a suffix name nothing
        "簡單說，",  # a common word is no name
        "嚴格來說，",
        "他曾写道，",  # 曾 "once" and a verb
        "Cloudflare CEO 表示",  # a name before CEO is a company's
        "對外代表公司之董事及總經理",  # 董事及 is no person
        "應檢附工程技術顧問公司之證明",  # 程技術 of 工程技術 is no person
    ],
)
def test_no_actor_from_words_around_a_suffix_or_a_title(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("前立委許毓仁，曾參與", "許毓仁"),
        ("曾文忠表示", "曾文忠"),  # a surname that is also a function word
        ("王和平認為", "王和平"),
        ("李明說", "李明"),  # jieba reads 李/明說: the name ends where the verb begins
    ],
)
def test_chinese_names_of_people_are_whole_words(text: str, name: str) -> None:
    assert names(text) == [name]


def test_a_country_and_a_suffix_name_a_kind_of_institution() -> None:
    assert names("美國大學的學費上漲") == ["美國"]


def test_two_names_with_a_verb_between_are_two() -> None:
    assert names("耶魯大學來到斯坦福大學") == ["耶魯大學", "斯坦福大學"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("西南部內陸（亞利桑那、新墨西哥）", []),  # New Mexico is not Mexico
        ("新南威爾斯與新墨西哥州", []),
        ("印度尼西亞和印度", ["印度"]),  # Indonesia is not India
        ("國務院財政部門", ["國務院"]),  # the finance departments, not the Ministry
        ("經濟部門協調土地", []),
        ("國會議員", []),  # a member of Congress
        ("美國白宮宣布", ["美國", "白宮"]),  # a word of two names side by side
        ("美國國防部表示", ["美國", "國防部"]),  # an organisation's name may hold a place
        ("in New Mexico and Mexico", ["Mexico"]),
        ("North Korea and South Korea", ["North Korea", "South Korea"]),
        ("北韓與南韓", ["北韓", "南韓"]),
        ("Latin America, Mexico City and the South China Sea", []),
    ],
)
def test_a_place_is_matched_as_a_whole_name(text: str, kept: list[str]) -> None:
    assert names(text) == kept


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("本辦法自中華民國一百十三年一月一日施行。", []),
        ("中華民國 113 年 7 月 1 日", []),
        ("受理之機關、中華民國年、月、日。", []),
        ("在中華民國境內設立分公司", ["中華民國"]),
        ("美國 3 年內投資", ["美國"]),  # a span of years, no era
    ],
)
def test_a_state_name_that_dates_an_roc_era_year_is_no_actor(text: str, kept: list[str]) -> None:
    assert names(text) == kept


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("《關於修改<中華人民共和國個人所得稅法>的決定》第一次修正", []),
        ("根據《贏得AI競賽：美國的AI行動計畫》", []),
        ("前立委許毓仁向《遠見》表示", ["許毓仁", "遠見"]),  # the title is the name itself
        ("美國發布《行動計畫》", ["美國"]),
    ],
)
def test_names_inside_the_title_of_a_work_are_no_actors(text: str, kept: list[str]) -> None:
    assert names(text) == kept


@pytest.mark.parametrize(
    "text",
    [
        "Data Centers",
        "new Data Centers are built",
        "a Sovereign Wealth Fund",
        "(Sovereign Wealth Fund)",
        "the Data Center",
        "Tariff Revenue Hits Record",
        "(d) Federal Agency Plans. Each agency shall",
        "Establishment and Administration of Duty-free Shops",
        "each Federal Office shall report",
    ],
)
def test_common_nouns_in_title_case_are_no_organisations(text: str) -> None:
    assert [n for n, _, kind in actors(text) if kind == "organization"] == []


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        (
            "Steel Manufacturers Association President Philip K. Bell:",
            "Steel Manufacturers Association",
            "organization",
        ),
        ("Steel Manufacturers Association President Philip K. Bell:", "Philip K. Bell", "person"),
        (
            "[National Association of State Departments of Agriculture CEO Ted McKinney]",
            "National Association of State Departments of Agriculture",
            "organization",
        ),
        (
            "to the Department of Justice and the Federal Trade Commission",
            "Department of Justice",
            "organization",
        ),
        ("the National Institutes of Health said", "National Institutes of Health", "organization"),
        ("[Sen. Jim Banks](https://x.com/SenatorBanks)", "Jim Banks", "person"),
        ("The Treasury says the revenue", "Treasury", "government"),  # an article begins no name
    ],
)
def test_english_names_are_whole_and_typed(text: str, name: str, kind: str) -> None:
    assert (name, kind) in {(n, k) for n, _, k in actors(text)}


def test_a_person_written_with_a_middle_initial_or_across_lines_is_one_name() -> None:
    found = actors("President Donald J. Trump said, and Rep. Vern\nBuchanan")
    assert ("Donald J. Trump", "Donald Trump", "person") in found
    assert ("Vern\nBuchanan", "Vern Buchanan", "person") in found
    assert not any(name == "Donald" for name, _, _ in found)


@pytest.mark.parametrize(
    ("text", "home", "canonical"),
    [
        ("国务院规定", "China", "State Council of the PRC"),
        ("國務院表示", "Taiwan", "U.S. Department of State"),  # Taiwan's usage: the U.S. one
        ("國防部登記", "Taiwan", "Ministry of National Defense (Taiwan)"),
        ("国防部发言人", "China", "Ministry of National Defense of the PRC"),
        ("國防部與能源部", "United States", "U.S. Department of Defense"),
        ("國防部", None, "U.S. Department of Defense"),  # no document: the table's own
        ("美国国防部表示", "China", "U.S. Department of Defense"),  # the country named before it
        ("交通部中央氣象署", "Taiwan", "Ministry of Transportation and Communications (Taiwan)"),
    ],
)
def test_a_bare_ministry_is_the_ministry_of_the_documents_country(
    text: str, home: str | None, canonical: str
) -> None:
    folded = fold(text, lower=False).text
    found = [f.fields["canonical"] for f in extract_actors(folded, home=home)]
    assert canonical in found


@pytest.mark.parametrize(
    ("text", "lang", "home"),
    [
        ("美國與中國，美國的政策", "zh-Hant", "United States"),
        ("依本法規定辦理。", "zh-Hant", "Taiwan"),  # no country named: its script's
        ("依照本法规定。", "zh-Hans", "China"),
        ("美國與中國", "zh-Hant", "Taiwan"),  # a tie: its script's
        ("The agency shall report.", "en", "United States"),
    ],
)
def test_the_country_a_document_is_about(text: str, lang: str, home: str) -> None:
    assert home_country(fold(text, lower=False).text, lang) == home


def test_publishers_named_as_authors_are_no_people() -> None:
    assert fold_people(["自由時報", "中央社", "Ada Wong"]) == frozenset({"Ada Wong"})


def document_actors(text: str, lang: str) -> list[ActorClaim]:
    doc = Document(doc_id="d", path="d.txt", sha256="0", date="2025-09-01", lang=lang)
    source = Source(doc=doc, text=text)
    return [c for c in extract_claims(source, segment(source)) if isinstance(c, ActorClaim)]


@pytest.mark.parametrize(
    ("text", "lang", "display", "canonical", "aliases"),
    [
        ("前立委許毓仁認為台灣需要轉型。", "zh-Hant", "許毓仁", "许毓仁", ["许毓仁"]),
        ("前立委许毓仁认为台湾需要转型。", "zh-Hans", "许毓仁", "许毓仁", ["許毓仁"]),
        ("而國會預算辦公室估計", "zh-Hant", "Congressional Budget Office", None, []),
        ("Secretary Jane\nAlvarez said", "en", "Jane Alvarez", "Jane Alvarez", []),
    ],
)
def test_an_actor_is_shown_in_the_script_of_its_document(
    text: str, lang: str, display: str, canonical: str | None, aliases: list[str]
) -> None:
    (actor,) = [a for a in document_actors(text, lang) if a.actor_type != "country"]
    assert (actor.display, actor.shown, actor.aliases) == (display, display, aliases)
    assert actor.canonical == (canonical or display)  # the key stays script-neutral


def test_an_events_actors_are_shown_in_the_script_of_its_document() -> None:
    doc = Document(doc_id="d", path="d.txt", sha256="0", date="2025-09-01", lang="zh-Hant")
    source = Source(doc=doc, text="2025年7月23日，許毓仁表示將宣布新計畫。")
    (date,) = [c for c in extract_claims(source, segment(source)) if isinstance(c, DateClaim)]
    assert date.event is not None and date.event.actors == ["許毓仁"]


def test_an_index_without_display_names_shows_the_canonical_name() -> None:
    old = ActorClaim.model_validate(
        {
            "id": "d#a0-2",
            "doc_id": "d",
            "passage_id": "d#0",
            "text": "許毓仁",
            "char_start": 0,
            "char_end": 3,
            "line": 1,
            "name": "許毓仁",
            "canonical": "许毓仁",
            "actor_type": "person",
        }
    )
    assert (old.display, old.shown, old.aliases) == (None, "许毓仁", [])
