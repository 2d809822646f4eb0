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
spent on.
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
from reindustry_kb.models import ClaimFilters, DateClaim, Passage, passage_key, passage_order
from reindustry_kb.text.normalize import fold_text

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
