"""Actors: the alias table first, then general rules for people and organisations it lacks.

Rules: names after a title (研究员朱宸佐, Secretary Lutnick), names before a speech verb
(许毓仁认为, Smith said), the document's own speakers and authors, English names of
organisations by their head noun (... Institute, Department of ...), Chinese ones by suffix
(... 研究中心, ... 委员会). A rule never overrides a table match on the same span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reindustry_kb.claims.base import Found, first_wins
from reindustry_kb.claims.lexicon import actor_lexicon, fold_term
from reindustry_kb.text.normalize import HAN

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
    "Chairwoman|Chair|CEO|Governor|Ambassador|Professor|Dr\\.|Commissioner|Director|Speaker|Adviser"
)
_CAP = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
# Chinese text writes foreign names in Latin letters before a Chinese title: Lutnick 部长.
_NAME_THEN_TITLE_ZH = re.compile(rf"(?P<name>{_CAP}(?:\s{_CAP})?)\s*(?:{TITLES_ZH})")
_SURNAME_THEN_TITLE = re.compile(rf"(?P<name>[{HAN}]{{2,3}}?)(?:{TITLES_ZH})")
_TITLED_EN = re.compile(rf"\b(?:{TITLES_EN})\s+(?P<name>{_CAP}(?:\s{_CAP}){{0,2}})")
_SAYING_EN = re.compile(
    rf"\b(?!(?:{TITLES_EN})\s)(?P<name>{_CAP}\s{_CAP}(?:\s{_CAP})?)\s"
    rf"(?:said|says|argued|wrote|told|noted|added)\b"
)
ORG_HEADS = (
    "Department|Agency|Institute|Institution|Commission|Bank|Council|Office|University|School|"
    "Administration|Committee|Corporation|Foundation|Association|Ministry|Bureau|Authority|"
    "Federation|Organization|Organisation|Center|Centre|Group|Fund|Service|Reserve|Board"
)
_ENDS_AS_ORG = re.compile(rf"\b(?:{ORG_HEADS})s?$")
_ORG_EN = re.compile(
    rf"\b(?:The )?(?P<name>(?:(?:U\.S\.|US|{_CAP}|[A-Z]{{2,}})[ -]){{0,5}}(?:{ORG_HEADS})s?\b"
    rf"(?: (?:of|for|on)(?: the)?(?: (?:{_CAP}|[A-Z]{{2,}}|and)){{1,5}})?)"
)
# Institution suffixes mark names (...研究中心, ...委员会); generic ones (公司, 联盟, 银行) mostly
# mark descriptions (半导体公司), so companies come from the table and English names instead.
ORG_SUFFIXES_ZH = (
    "委员会|研究中心|研究所|研究院|学院|大学|同业公会|公会|协会|基金会|办公室|管理局|行动小组|"
    "总会|商会"
)
GENERIC_PREFIXES = (
    "一些",
    "这些",
    "那些",
    "许多",
    "各",
    "该",
    "本",
    "其他",
    "相关",
    "主要",
    "大型",
    "多家",
)
_ORG_ZH = re.compile(rf"(?P<name>[{HAN}A-Za-z]{{2,12}}?(?:{ORG_SUFFIXES_ZH}))")
# Cut before the name: a function word, or a numbered session (第十二届全国人民代表大会常务委员会).
_ORG_CUT = re.compile(
    r"^.*(?:[的与和及由在向将对是为了从把被以、跟或之于如届]|像是|例如|包括|根据|依照|按照|依据)"
)
GENERIC_ORG_WORDS = {"公司", "银行", "大学", "学院", "集团", "委员会", "办公室"}


def extract_actors(text: str, people: frozenset[str] = frozenset()) -> Iterator[Found]:
    """`people` are names the document itself gives (speakers, authors), folded."""
    candidates: list[tuple[int, int, str, str]] = []
    for start, end, (canonical, actor_type) in actor_lexicon().find(text):
        candidates.append((start, end, canonical, actor_type))
    for name in people:
        for m in re.finditer(re.escape(name), text):
            candidates.append((m.start(), m.end(), "", "person"))
    for pattern in (_TITLED_ZH, _SPEAKING_ZH, _SPEAKING_ZH_AFTER_PUNCT, _SURNAME_THEN_TITLE):
        for m in pattern.finditer(text):
            if m["name"][0] in SURNAMES and len(m["name"]) in (2, 3):
                candidates.append((m.start("name"), m.end("name"), "", "person"))
    for pattern in (_TITLED_EN, _SAYING_EN, _NAME_THEN_TITLE_ZH):
        for m in pattern.finditer(text):
            if not _ENDS_AS_ORG.search(m["name"]):  # the Federal Reserve Board said: no person
                candidates.append((m.start("name"), m.end("name"), "", "person"))
    for m in _ORG_EN.finditer(text):
        if " " in m["name"]:
            candidates.append((m.start("name"), m.end("name"), "", "organization"))
    for m in _ORG_ZH.finditer(text):
        name = _ORG_CUT.sub("", m["name"])
        if (
            len(name) >= 4
            and name not in GENERIC_ORG_WORDS
            and not name.startswith(GENERIC_PREFIXES)
        ):
            start = m.end("name") - len(name)
            candidates.append((start, m.end("name"), "", "organization"))
    # The longest span wins an overlap (史丹佛台湾科学技术研究中心 over the 台湾 inside it);
    # on equal length the table, listed first, wins over a rule (sort is stable).
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    yield from first_wins(
        Found(
            "actor",
            start,
            end,
            {
                "canonical": canonical or text[start:end],
                "actor_type": actor_type,
                "name": text[start:end],
            },
        )
        for start, end, canonical, actor_type in candidates
    )


def fold_people(names: list[str]) -> frozenset[str]:
    """The given names (authors, speakers) folded; one-letter names are dropped."""
    return frozenset(fold_term(name) for name in names if len(name.strip()) >= 2)
