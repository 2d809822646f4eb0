import pytest

from reindustry_kb.claims.actors import extract_actors, fold_people
from reindustry_kb.claims.lexicon import canonical_actor
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
