"""A law's standing provisions: the article saying when it takes effect, who administers it,
until when it runs, or where its fund's money comes from and goes, joins the candidates when
the question asks for it.

A law says when it takes effect once, in a short article near its end (第八十八条 本法自2003年1月1日
起施行; This Order is effective January 1, 2026), and names its competent authority once, near
its start (本條例所稱主管機關：在中央為經濟部; 国务院能源主管部门负责全国的能源管理工作). Neither
article names the law's topic or the question's words: `From what date does China's Government
Procurement Law apply?` finds the law, its opening articles and its header of enactment dates,
and `Which ministry is in charge of Taiwan's Electricity Act?` the articles that name the
ministry's duties, and both leave the article that answers far below the candidates. So for a
question asking when something takes effect, the passages of the best document holding a date
of role `effective` (claims/temporal.py) join the candidates at their document's best score,
lifted by LIFT; for a question asking which body is in charge, those defining the competent
authority do. A question asking until when something runs, or on what date it is due (until
when, 何时终止, by what date), is answered by the article ending the period (第四十條
第三十五條施行期間，自一百零三年五月二十日起至一百十三年五月十九日止; `This order shall
terminate on January 20, 2021`), which names the credit by its article number only, while the
credit's own article and the one extending it name the question's words: the passages of the
best document holding such a date (second_stage.ending_kinds) join as the effective article
does. So do those naming a fund's sources (本基金之來源如下: second_stage.SOURCES) for a
question asking where its money comes from, as its article on the fund's uses shares more of
the question's words, and its uses (本基金之用途如下: USES) for one asking what it may be
spent on. A question asking what penalty a violation carries is answered by the penalty
article citing, by number only, the article the question is about (違反第五條規定者，處五年以下
有期徒刑): the best document's such articles join at the score of the article they cite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from reindustry_kb.ask.second_stage import (
    SOURCES,
    SPAN,
    USES,
    Scored,
    asked_kinds,
    ending_kinds,
)
from reindustry_kb.ask.session import Session
from reindustry_kb.index.backend import PassageKey
from reindustry_kb.ingest.segment import ARTICLE
from reindustry_kb.models import ClaimFilters, DateClaim, Passage, passage_key, passage_order
from reindustry_kb.text.normalize import fold_text
from reindustry_kb.text.numbers import parse_number

# What asks when something takes effect, in folded text (lower case, Simplified).
ASKS_EFFECT = re.compile(
    r"\b(?:take|takes|took|taken|taking) effect\b|\beffective\b|\bin force\b"
    r"|\b(?:come|comes|came|coming|enter|enters|entered|entry) into (?:force|effect)\b"
    r"|\bappl(?:y|ies|ied)\b.*\b(?:from|since|as of)\b|\b(?:from|since|as of) (?:what|which) date\b"
    r"|\bcommence(?:s|d|ment)?\b|施行|生效"
)
# ... and asks for a date (a span, 多久 / how long, is another question: a contract's:
# second_stage.SPAN).
ASKS_WHEN = re.compile(
    r"\bwhen\b|\b(?:what|which) (?:date|day|year)\b|\bby what\b|\bsince when\b"
    r"|\beffective date\b|\bdate of (?:entry|effect|commencement)\b"
    r"|何时|什么时候|什么时间|哪(?:一)?(?:年|天|日|月)|几月|几号|日期|起"
)
# What asks which body administers something: its competent authority, the body in charge of
# it (not a question that names the authority as its subject, 主管机关每年须发布什么报告, nor one
# asking who does one task, 由哪个部门负责组织编制: another article says that).
ASKS_AUTHORITY = re.compile(
    r"\bcompetent authorit|\bin charge of\b|\b(?:oversees|supervises|administers)\b"
    r"|主管(?:机关|部门)(?:是|为)|(?:哪个|哪一个|什么|哪些)(?:机关|部门|单位|机构)(?:负责)?"
    r"(?:主管|监督管理|监管)|由谁(?:主管|监管)"
)
# ... and asks which body: `what` only with one (`What must the office in charge of the fund
# report?` asks what it reports).
_ASKS_WHICH = re.compile(
    r"\b(?:which|who)\b|\bwhat (?:agency|ministry|department|authority|body|government body"
    r"|organ|office)\b|哪|谁|什么"
)
# A passage defining the competent authority: 本法所稱主管機關, 本條例之主管機關, 国务院…主管部门
# 负责全国…工作, `the competent authority under this Act` (not 主管機關為維護…, a duty of it).
DEFINES_AUTHORITY = re.compile(
    r"本(?:法|条例|保险|办法|规则|准则)(?:所称)?(?:之)?主管机关|主管部门负责全国"
    r"|\bcompetent authorit(?:y|ies)\W{0,3} (?:as used |referred to )?(?:in|under|of|for) this "
    r"(?:act|law|statute|regulation)"
)
# The best this many documents of the first stage are searched for such an article, which
# joins at its document's best score plus LIFT. Dev library, tune split, strict R@1 / R@10:
# LIFT 0 0.650 / 0.912, 0.05 to 0.2 0.658 / 0.912 (3 won, 0 lost); 3 documents 0.658 / 0.908.
DOCUMENTS = 1
LIFT = 0.05
# A law names its competent authority near its start: only its first this many passages are
# read for the article (the dev library's 28 such articles stand in their law's first 25).
AUTHORITY_HEAD = 40
# A document is read this far for an article ending a period (from its end) or naming a fund's
# sources (from its start); of those not yet candidates, JOIN per document join.
READ = 1000
JOIN = 3

# What asks the penalty a violation carries: the penalty as what is asked (What fine does …,
# How is someone fined, 罚多少, 会受到什么处罚, 刑罚有多重), not a penalty as the question's subject
# (decide an objection to a trade sanction, 受过处罚的人多少年内不得…) (folded text).
ASKS_PENALTY = re.compile(
    r"\bwhat\b(?:\s+[\w'-]+){0,4}?\s+(?:fines?|penalty|penalties|punishments?|sanctions?"
    r"|detention|imprisonment|prison (?:term|sentence))\b"
    r"|\bhow (?:is|are|much|heavily|severely|far)\b[^?]{0,60}"
    r"\b(?:fined|punished|penali[sz]ed|fine)\b"
    r"|\b(?:fines?|penalty|penalties|punishment|sanctions?) (?:for|does|do|is|are|can|applies"
    r"|apply|faces?)\b"
    r"|(?:罚|罚款|罚金|罚锾|处罚|刑罚|刑期)(?:是|为|有)?[^,.?;，。？；]{0,12}?"
    r"(?:多少|几|怎么|怎样|如何|多重|多久|上限|最高)"
    r"|(?:什么|何种|哪些|怎样的)(?:样的)?(?:行政|刑事)?(?:处罚|刑罚|罚则|制裁|罚款|刑)"
    r"|(?:怎么|如何|怎样)(?:处罚|罚|处理)|罚多少|判(?:什么|多少|几)"
)
# A passage setting one: 处…罚款 / 罚锾 / 罚金 / 有期徒刑 / 拘役 / 拘留, `shall be fined`,
# `imprisonment`, `a fine of not less than` (folded text).
PENALTY = re.compile(
    r"处[^。；]{0,60}?(?:罚款|罚锾|罚金|有期徒刑|拘役|拘留)"
    r"|\b(?:shall|may) be (?:fined|punished)\b|\bimprisonment\b|\ba fine of\b"
)
# An article's heading at the start of a line, as segment.ARTICLE reads it (第 10-1 條, 第三十七条,
# Article 10-1) but in folded text, and an article a text cites (第十七條之一, 本法第二十七条,
# Article 5), with the same group names.
_HEADING = re.compile(ARTICLE.pattern, re.IGNORECASE | re.MULTILINE)
_NUMERAL = r"(?:\d+|[一二三四五六七八九十百零〇]+)"
_CITED = re.compile(
    rf"第\s*(?P<number>{_NUMERAL})\s*条(?:\s*之\s*(?P<of>{_NUMERAL}))?"
    r"|\barticles?\s+(?P<en>\d+)(?:-(?P<en_sub>\d+))?\b"
)
# A penalty and the article it punishes stand in one sentence (違反第五條規定者，處…; 违反本法
# 第二十四条规定…责令改正；拒不改正的，处…), not in a list of violations under one penalty
# (有下列各款情事之一者，處…：\n一、違反第十六條…), whose items are as many look-alikes.
_SENTENCE = re.compile(r"[。\n]|\.\s")
# The best document's first this many candidates setting no penalty are the articles the
# question is about.
VIOLATED = 3


def asks_effect(question: str) -> bool:
    """Whether a question asks on what date something takes effect."""
    folded = fold_text(question)
    return bool(ASKS_EFFECT.search(folded) and ASKS_WHEN.search(folded) and not SPAN.search(folded))


def asks_authority(question: str) -> bool:
    """Whether a question asks which body administers something."""
    folded = fold_text(question)
    return bool(ASKS_AUTHORITY.search(folded) and _ASKS_WHICH.search(folded))


def with_provisions(
    session: Session,
    question: str,
    candidates: Sequence[Scored],
    passages: dict[PassageKey, Passage],
) -> list[Scored]:
    """The candidates, and the passages of the best DOCUMENTS documents that state what the
    question asks of a law (the date it takes effect, its competent authority, the date a
    period ends, a fund's sources or uses), at their document's best score plus LIFT, best first;
    `passages` gains theirs."""
    if not candidates:
        return list(candidates)
    best: dict[str, float] = {}
    for result in candidates:
        doc_id = passages[result.key].doc_id
        if doc_id not in best and len(best) < DOCUMENTS:
            best[doc_id] = result.score
    keys: dict[PassageKey, float] = {}
    if asks_effect(question):
        keys |= _effective(session, best)
    if asks_authority(question):
        keys |= _authority(session, best)
    known = {result.key for result in candidates}
    asked = asked_kinds(question)
    # Until when (not by when something is due, which a span answers as often: its answer names
    # the task it sets, so the first stage finds it, and an order's many deadlines would crowd
    # the candidates).
    if "end" in asked:
        keys |= _ends(session, best, known)
    if "source" in asked:
        keys |= _naming(session, best, known, SOURCES)
    if "use" in asked:
        keys |= _naming(session, best, known, USES)
    if ASKS_PENALTY.search(fold_text(question)):
        keys |= _penalties(session, best, candidates, passages, known)
    if not keys:
        return list(candidates)
    passages.update(session.reader.passages([key for key in keys if key not in passages]))
    scored = {result.key: result for result in candidates}
    joined = [
        replace(scored[key], score=max(scored[key].score, score + LIFT))
        if key in scored
        else Scored(key, score + LIFT, None, None)
        for key, score in keys.items()
    ]
    kept = [result for result in candidates if result.key not in keys]
    return sorted([*kept, *joined], key=lambda r: (-r.score, passage_order(r.key)))


def _effective(session: Session, best: dict[str, float]) -> dict[PassageKey, float]:
    """The passages of these documents holding a date they take effect on, at their score."""
    found = session.reader.find_claims(ClaimFilters(kind="date", docs=tuple(best)))
    return {
        claim.passage_id: best[claim.doc_id]
        for claim in found
        if isinstance(claim, DateClaim) and claim.role == "effective" and claim.doc_id in best
    }


def _authority(session: Session, best: dict[str, float]) -> dict[PassageKey, float]:
    """The passages of these documents defining their competent authority, at their score
    (the head of each read whole: the definition holds no word a search would rank first)."""
    read = _read(session, best, lambda n: range(1, min(n, AUTHORITY_HEAD) + 1))
    naming = [key for key, text in read.items() if DEFINES_AUTHORITY.search(text)]
    return {key: best[passage_order(key)[0]] for key in naming}


def _naming(
    session: Session,
    best: dict[str, float],
    known: Collection[PassageKey],
    pattern: re.Pattern[str],
) -> dict[PassageKey, float]:
    """The passages of these documents matching `pattern` (second_stage.SOURCES: 本基金之来源如下;
    USES: 本基金之用途如下), at their score: all those among the `known` candidates, and the
    first JOIN others of each."""
    read = _read(session, best, lambda n: range(1, min(n, READ) + 1))
    return _capped(best, [key for key, text in read.items() if pattern.search(text)], known, False)


def _ends(
    session: Session, best: dict[str, float], known: Collection[PassageKey]
) -> dict[PassageKey, float]:
    """The passages of these documents holding a date that ends something (second_stage.
    ending_kinds: 自…起至…止, `shall terminate on`; a date claim of role deadline), at their
    score: all those among the `known` candidates, and the last JOIN others of each (a
    period's end stands in a law's last articles)."""
    deadlines = {
        claim.passage_id
        for claim in session.reader.find_claims(ClaimFilters(kind="date", docs=tuple(best)))
        if isinstance(claim, DateClaim) and claim.role == "deadline"
    }
    read = _read(session, best, lambda n: range(max(1, n - READ + 1), n + 1))
    ending = [key for key, text in read.items() if key in deadlines or "end" in ending_kinds(text)]
    return _capped(best, ending, known, keep_last=True)


def _penalties(
    session: Session,
    best: dict[str, float],
    candidates: Sequence[Scored],
    passages: dict[PassageKey, Passage],
    known: Collection[PassageKey],
) -> dict[PassageKey, float]:
    """The passages of these documents setting the penalty for violating an article the
    question is about (the best document's first VIOLATED candidates that set none), each at
    the best score of the articles it cites: a law's penalties cite the article they punish by
    its number in the sentence setting it (違反第五條規定者，處五年以下有期徒刑) and name none of
    the question's words. Of those not yet candidates, the JOIN best; none when the best
    candidate sets a penalty itself (it names the violation, as PRC laws do)."""
    first = [result for result in candidates if passages[result.key].doc_id in best]
    if not first or PENALTY.search(fold_text(passages[first[0].key].text)):
        return {}
    read = _read(session, best, lambda n: range(1, min(n, READ) + 1))
    articles = _articles(read)
    violated = [r for r in first if r.key in read and not PENALTY.search(read[r.key])]
    asked: dict[tuple[int, int], float] = {}
    for result in violated[:VIOLATED]:
        for article in articles[result.key]:
            asked.setdefault(article, result.score)
    found: dict[PassageKey, float] = {}
    for key, text in read.items():
        cited = {
            _number(m)
            for sentence in _SENTENCE.split(text)
            if PENALTY.search(sentence)
            for m in _CITED.finditer(sentence)
        }
        own = articles[key]  # its own heading cites nothing
        scores = [asked[a] for a in cited if a is not None and a in asked and a not in own]
        if scores:
            found[key] = max(scores)
    joining = sorted((key for key in found if key not in known), key=lambda k: -found[k])
    return {key: score for key, score in found.items() if key in known or key in joining[:JOIN]}


def _articles(read: dict[PassageKey, str]) -> dict[PassageKey, set[tuple[int, int]]]:
    """The articles each passage (in document order) holds: those headed in it, and the one
    running on from the passage before."""
    found: dict[PassageKey, set[tuple[int, int]]] = {}
    current: dict[str, tuple[int, int]] = {}
    for key, text in read.items():
        doc_id = passage_order(key)[0]
        headed = [_number(m) for m in _HEADING.finditer(text)]
        starts_with_heading = bool(_HEADING.match(text))
        own = {a for a in headed if a is not None}
        if doc_id in current and not starts_with_heading:
            own.add(current[doc_id])
        if headed and headed[-1] is not None:
            current[doc_id] = headed[-1]
        found[key] = own
    return found


def _number(match: re.Match[str]) -> tuple[int, int] | None:
    """An article's number and sub-number (10-1, 十條之一) from a heading or a citation."""
    groups = match.groupdict()
    value = _value(groups.get("number") or groups.get("en"))
    if value is None:
        return None
    return value, _value(groups.get("dash") or groups.get("of") or groups.get("en_sub")) or 0


def _value(numeral: str | None) -> int | None:
    parsed = parse_number(numeral) if numeral else None
    return int(parsed.value) if parsed is not None else None


def _read(
    session: Session, best: dict[str, float], numbers: Callable[[int], range]
) -> dict[PassageKey, str]:
    """The folded text of these documents' passages, by the `numbers` of a document of n
    passages, in document order."""
    reader = session.reader
    read: dict[PassageKey, str] = {}
    for doc_id, document in reader.documents_by_id(list(best)).items():
        keys = [passage_key(doc_id, number) for number in numbers(document.n_passages)]
        texts = reader.passages(keys)
        read |= {key: fold_text(texts[key].text) for key in keys if key in texts}
    return read


def _capped(
    best: dict[str, float], keys: list[PassageKey], known: Collection[PassageKey], keep_last: bool
) -> dict[PassageKey, float]:
    """`keys` (in document order) at their document's score: those among the `known`
    candidates, and of the others JOIN per document, the first or the last (a plan saying
    到2025年 in thirty articles must not push every other candidate out of the second stage's
    reach)."""
    found: dict[PassageKey, float] = {}
    for doc_id in best:
        own = [key for key in keys if passage_order(key)[0] == doc_id]
        others = [key for key in own if key not in known]
        joining = set(others[-JOIN:] if keep_last else others[:JOIN])
        found |= {key: best[doc_id] for key in own if key in known or key in joining}
    return found
