"""Actors: the alias table first, then general rules for people and organisations it lacks.

Rules: names after a title (研究员朱宸佐, Secretary Lutnick), names before a speech verb
(许毓仁认为, Smith said), the document's own speakers and authors, English names of
organisations by their head noun (... Institute, Department of ...), Chinese ones by suffix
(... 研究中心, ... 委员会). A rule never overrides a table match on the same span.

A name is kept whole and alone (claims/names.py): a table match inside a longer word or place
(新墨西哥 holds 墨西哥, 财政部门 holds 财政部), in the title of a work (《中华人民共和国…法》) or
naming an ROC-era year (中华民国一百十三年) is no actor; the function words, titles and verbs
glued before a rule-found name are cut off (而, 现任, 由, 设, 应加入); a Chinese person's name
is a word of its own (not 程技术 of 工程技术); an English common noun in title case (Data
Centers, Sovereign Wealth Fund) is no organisation. A bare ministry name (国务院, 国防部) is the
ministry of the country the document is about.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from reindustry_kb.claims.base import Found, first_wins
from reindustry_kb.claims.lexicon import (
    actor_lexicon,
    canonical_actor,
    common_noun_terms,
    fold_term,
    home_ministries,
)
from reindustry_kb.claims.names import (
    in_longer_word,
    in_title,
    is_word,
    names_an_era,
    org_start,
    org_suffix_end,
)
from reindustry_kb.text.normalize import HAN, is_han

# The commonest single-character Chinese surnames (folded), to tell a name from a phrase.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤柯卓施洪童颜詹庄蓝游翁欧赖简傅连钟"
)
TITLES_ZH = (
    "资深研究员|研究员|理事长|副总统|总统|副主席|主席|总理|首相|部长|次长|议员|立委|执行长|董事长|总经理|"
    "执行顾问|顾问|院长|局长|署长|司长|教授|分析师|经济学家|记者|发言人|大使|秘书长|国务卿|创办人|创始人|"
    "主任|委员|市长|州长|副院长|处长|CEO"
)
SPEECH_ZH = "认为|表示|指出|强调|举例|补充|直言|表明|预期|分析|透露|坦言|说|提到|呼吁|警告|估计"
_ZH_NAME = rf"[{HAN}]{{1,2}}"
_TITLED_ZH = re.compile(
    rf"(?:{TITLES_ZH})(?:、[{HAN}A-Za-z]{{2,20}}(?:{TITLES_ZH}))*(?P<name>[{HAN}]{_ZH_NAME})(?=[\W，。、]|{SPEECH_ZH}|向|也|亦|在|与|和|的|曾|日前)"
)
_SPEAKING_ZH = re.compile(rf"(?<![{HAN}])(?P<name>[{HAN}]{_ZH_NAME})(?:{SPEECH_ZH})")
_SPEAKING_ZH_AFTER_PUNCT = re.compile(
    rf"(?:^|[，。；：、「」\s])(?P<name>[{HAN}]{_ZH_NAME})(?:亦|也|则|更)?(?:{SPEECH_ZH})"
)

TITLES_EN = (
    "Secretary|President|Vice President|Senator|Sen\\.|Representative|Rep\\.|Minister|Chairman|"
    "Chairwoman|Chair|CEO|Governor|Gov\\.|Ambassador|Professor|Dr\\.|Commissioner|Director|"
    "Speaker|Adviser"
)
_CAP = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"  # between the words of a name: a line may wrap once
# First name, middle initials, surname: Donald J. Trump, Philip K. Bell.
_PERSON_EN = rf"{_CAP}(?:{_GAP}(?:[A-Z]\.{_GAP})*{_CAP}){{0,2}}"
# Chinese text writes foreign names in Latin letters before a Chinese title: Lutnick 部长 (a
# name before CEO is a company's: Cloudflare CEO).
_NAME_THEN_TITLE_ZH = re.compile(
    rf"(?P<name>{_CAP}(?:\s{_CAP})?)\s*(?:{TITLES_ZH.replace('|CEO', '')})"
)
_SURNAME_THEN_TITLE = re.compile(rf"(?P<name>[{HAN}]{{2,3}}?)(?:{TITLES_ZH})")
_TITLED_EN = re.compile(rf"\b(?:{TITLES_EN})\s+(?P<name>{_PERSON_EN})")
_SAYING_EN = re.compile(
    rf"\b(?!(?:{TITLES_EN}|The|This|That|These|Those|Our|Their)\s)(?P<name>{_CAP}{_GAP}(?:[A-Z]\.{_GAP})*{_CAP}(?:{_GAP}{_CAP})?)\s"
    rf"(?:said|says|argued|wrote|told|noted|added)\b"
)
_MIDDLE_INITIALS = re.compile(r"\s(?:[A-Z]\.\s+)+")
ORG_HEADS = (
    "Department|Agency|Institute|Institution|Commission|Bank|Council|Office|University|School|"
    "Administration|Committee|Corporation|Foundation|Association|Ministry|Bureau|Authority|"
    "Federation|Organization|Organisation|Center|Centre|Group|Fund|Service|Reserve|Board"
)
_ENDS_AS_ORG = re.compile(rf"\b(?:{ORG_HEADS})$")  # singular: Jim Banks is a person
_ORG_EN = re.compile(
    rf"\b(?:The )?(?P<name>(?P<modifiers>(?:(?:U\.S\.|US|{_CAP}|[A-Z]{{2,}})[ -]){{0,5}})"
    rf"(?P<head>{ORG_HEADS})(?P<plural>s?)\b"
    rf"(?P<complement>(?: (?:of|for|on)(?: the)?"
    rf"(?: (?!(?:{TITLES_EN})\b)(?:{_CAP}|[A-Z]{{2,}}|and|&)\b){{1,5}}){{0,3}}))"
)
# Words before a noun that make it a common one: an Office, each Council, their Fund.
_DETERMINER = re.compile(
    r"\b(?:[Aa]n?|[Aa]ny|[Ee]ach|[Ee]very|[Nn]o|[Ss]ome|[Ss]uch|[Tt]his|[Tt]hese|[Tt]hat|[Tt]hose|"
    r"[Aa]nother|[Oo]ther|[Oo]ur|[Tt]heir|[Ii]ts|[Hh]is|[Hh]er|[Yy]our|[Mm]y|[Ww]hich|[Ww]hose)\s+$"
)
_THE = re.compile(r"\b[Tt]he\s+$")
_LOWER_WORD_BEFORE = re.compile(r"\b[a-z]+\s+$")
# A capitalised word after the head that is no job title: the phrase goes on, and the head
# was no head (Federal Agency Plans, Data Center Boom); a title begins a person (Steel
# Manufacturers Association President Philip K. Bell).
_GOES_ON = re.compile(
    rf"[ \t]+(?!(?:{TITLES_EN}|Senior|Chief|Executive|Vice|Deputy|Fellow|Economist|Analyst|"
    r"Spokesperson|Spokesman|Spokeswoman|Member)\b)[A-Z][a-z]"
)
# Institution suffixes mark names (...研究中心, ...委员会); generic ones (公司, 联盟, 银行,
# 办公室) mostly mark descriptions (半导体公司, 牙医办公室), so those come from the table.
ORG_SUFFIXES_ZH = (
    "委员会|研究中心|研究所|研究院|学院|大学|同业公会|公会|协会|基金会|管理局|行动小组|总会|商会|"
    "联合会"
)
_ORG_ZH = re.compile(rf"(?P<name>[{HAN}A-Za-z]{{2,12}}?(?:{ORG_SUFFIXES_ZH}))")
_ORG_SUFFIX_END = re.compile(rf"(?:{ORG_SUFFIXES_ZH})$")
GENERIC_ORG_WORDS = {"公司", "银行", "大学", "学院", "集团", "委员会", "办公室", "联合会", "研究所"}
# Authors that are publishers, not people: 自由时报, 中央社.
_PUBLISHER = re.compile(r"(?:报|报社|时报|日报|晚报|周刊|杂志|新闻网|新闻|电视台|电台|通讯社|社)$")

# A compass point or New before a country's name makes another place (New Mexico, North
# Korea, Latin America); a place noun after it, a part of one (Mexico City, South China Sea).
_PLACE_BEFORE = re.compile(
    r"\b(?:New|North|South|East|West|Northern|Southern|Eastern|Western|Central|Latin|Upper|"
    r"Lower)[ -]$"
)
_PLACE_AFTER = re.compile(r"[ -](?:City|Sea|Ocean|Gulf|Bay|Strait|Peninsula)\b")
# The country a document's script points to when it names none.
SCRIPT_HOME = {"zh-Hans": "China", "zh-Hant": "Taiwan", "en": "United States"}

Candidate = tuple[int, int, str, str]  # start, end, canonical ("" = the name itself), type


def extract_actors(
    text: str, people: frozenset[str] = frozenset(), home: str | None = None
) -> Iterator[Found]:
    """`people` are names the document itself gives (speakers, authors), folded; `home` is
    the country the document is about, which a bare ministry name belongs to."""
    candidates = [*_table(text, home), *_people(text, people), *_persons(text), *_orgs(text)]
    # The longest span wins an overlap (史丹佛台湾科学技术研究中心 over the 台湾 inside it);
    # on equal length the table, listed first, wins over a rule (sort is stable).
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    yield from first_wins(
        Found(
            "actor",
            start,
            end,
            {
                "canonical": canonical or " ".join(text[start:end].split()),
                "actor_type": actor_type,
                "name": text[start:end],
            },
        )
        for start, end, canonical, actor_type in candidates
        if not in_title(text, start, end)
    )


def home_country(text: str, lang: str) -> str | None:
    """The country a document (folded text) is about: the one it names most, else the one
    its script points to."""
    named = Counter[str](
        canonical
        for _, _, (canonical, actor_type) in actor_lexicon().find(text)
        if actor_type == "country"
    ).most_common(2)
    if named and (len(named) == 1 or named[0][1] > named[1][1]):
        return named[0][0]
    return SCRIPT_HOME.get(lang)


def _table(text: str, home: str | None) -> Iterator[Candidate]:
    ministries = home_ministries()
    country, country_end = None, -1  # the country named right before: 美国|国防部
    for start, end, (canonical, actor_type) in actor_lexicon().find(text):
        if is_han(text[start]) and (in_longer_word(text, start, end) or names_an_era(text, end)):
            continue
        if actor_type == "country" and _another_place(text, start, end):
            continue
        owners = ministries.get(text[start:end], {})
        owner = country if country_end == start else home
        if owner in owners:
            canonical, actor_type = owners[owner]
        if actor_type == "country":
            country, country_end = canonical, end
        yield start, end, canonical, actor_type


def _another_place(text: str, start: int, end: int) -> bool:
    return bool(
        _PLACE_BEFORE.search(text, max(0, start - 12), start) or _PLACE_AFTER.match(text, end)
    )


def _people(text: str, people: frozenset[str]) -> Iterator[Candidate]:
    for name in people:
        for m in re.finditer(re.escape(name), text):
            yield m.start(), m.end(), "", "person"


def _persons(text: str) -> Iterator[Candidate]:
    for pattern in (_TITLED_ZH, _SPEAKING_ZH, _SPEAKING_ZH_AFTER_PUNCT, _SURNAME_THEN_TITLE):
        for m in pattern.finditer(text):
            name = m["name"]
            if name[0] in SURNAMES and len(name) in (2, 3) and is_word(text, *m.span("name")):
                yield m.start("name"), m.end("name"), "", "person"
    for pattern in (_TITLED_EN, _SAYING_EN, _NAME_THEN_TITLE_ZH):
        for m in pattern.finditer(text):
            if not _ENDS_AS_ORG.search(m["name"]):  # the Federal Reserve Board said: no person
                yield m.start("name"), m.end("name"), _known_person(m["name"]), "person"


def _known_person(name: str) -> str:
    """The table's name for a person the rules found, also when written with a middle
    initial or across a line break (Donald J. Trump); "" for one it lacks."""
    return canonical_actor(" ".join(_MIDDLE_INITIALS.sub(" ", name).split())) or ""


def _orgs(text: str) -> Iterator[Candidate]:
    for m in _ORG_EN.finditer(text):
        end = _english_org_end(text, m)
        if end is not None:
            yield m.start("name"), end, "", "organization"
    for m in _ORG_ZH.finditer(text):
        end = org_suffix_end(text, m.end("name"), ORG_SUFFIXES_ZH)
        start = org_start(text, m.start("name"), end)
        name = text[start:end]
        if len(name) >= 4 and name not in GENERIC_ORG_WORDS and not _country_and_kind(name):
            yield start, end, "", "organization"


def _country_and_kind(name: str) -> bool:
    """A country and a suffix name a kind of institution (美国大学, 日本研究所), not one."""
    suffix = _ORG_SUFFIX_END.search(name)
    payload = actor_lexicon().entries.get(name[: suffix.start()]) if suffix else None
    return bool(payload and payload[1] == "country")


def _english_org_end(text: str, m: re.Match[str]) -> int | None:
    """Where an English organisation's name ends, or None for a common noun in title case."""
    complement, end = m["complement"], m.end("complement")
    if complement and text[end : end + 1] == "-":  # Duty-free: the compound goes on
        complement = complement.rsplit(" ", 1)[0]
    complement = re.sub(r"(?: (?:and|&|of|for|on|the))+$", "", complement)
    if not re.search(r"[A-Z]", complement):
        complement = ""
    end = m.start("complement") + len(complement)
    before = text[max(0, m.start("name") - 40) : m.start("name")]
    if m["plural"] and not complement:
        return None  # Data Centers, Venture Funds: a kind of thing
    if _GOES_ON.match(text, end):
        return None  # Federal Agency Plans
    if _DETERMINER.search(before):
        return None  # a Sovereign Wealth Fund, their Board
    if not m["modifiers"] and not complement:
        return None  # a bare Committee
    if not m["modifiers"] and not _THE.search(before) and _LOWER_WORD_BEFORE.search(before):
        return None  # Establishment and Administration of Duty-free Shops
    words = text[m.start("name") : m.end("plural")].lower()
    if not complement and (
        words in common_noun_terms() or words.rstrip("s") in common_noun_terms()
    ):
        return None  # Sovereign Wealth Fund, Data Center: the glossary's terms
    return end


def fold_people(names: list[str]) -> frozenset[str]:
    """The given names (authors, speakers) folded; one-letter names and publishers (a
    newspaper named as a page's author) are dropped."""
    folded = (fold_term(name.strip()) for name in names if len(name.strip()) >= 2)
    return frozenset(name for name in folded if not _PUBLISHER.search(name))
