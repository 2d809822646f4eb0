"""When does it take effect: the article that says so joins the candidates.

A law says when it takes effect once, in a short article near its end (第八十八条 本法自2003年1月1日
起施行; This Order is effective January 1, 2026) that names neither the law's topic nor the
question's words: `From what date does China's Government Procurement Law apply?`
finds the law, its opening articles and its header of enactment dates, and leaves that article
far below the candidates. The date grammar marks such dates (claims/temporal.py, role
`effective`), so for a question asking when something takes effect, the passages of the best
documents holding one join the candidates at their document's best score, lifted by LIFT.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from reindustry_kb.ask.second_stage import Scored
from reindustry_kb.ask.session import Session
from reindustry_kb.index.backend import PassageKey
from reindustry_kb.models import ClaimFilters, DateClaim, Passage, passage_order
from reindustry_kb.text.normalize import fold_text

# What asks when something takes effect, in folded text (lower case, Simplified).
ASKS_EFFECT = re.compile(
    r"\b(?:take|takes|took|taken|taking) effect\b|\beffective\b|\bin force\b"
    r"|\b(?:come|comes|came|coming|enter|enters|entered|entry) into (?:force|effect)\b"
    r"|\bappl(?:y|ies|ied)\b.*\b(?:from|since|as of)\b|\b(?:from|since|as of) (?:what|which) date\b"
    r"|\bcommence(?:s|d|ment)?\b|施行|生效"
)
# ... and asks for a date (a span, 多久 / how long, is another question: a contract's).
ASKS_WHEN = re.compile(
    r"\bwhen\b|\b(?:what|which) (?:date|day|year)\b|\bby what\b|\bsince when\b"
    r"|\beffective date\b|\bdate of (?:entry|effect|commencement)\b"
    r"|何时|什么时候|什么时间|哪(?:一)?(?:年|天|日|月)|几月|几号|日期|起"
)
_SPAN = re.compile(r"\bhow long\b|\bhow many\b|多久|多长时间|几天|几日|几个月|几年")
# The best this many documents of the first stage are searched for such an article, which
# joins at its document's best score plus LIFT. Dev library, tune split, strict R@1 / R@10:
# LIFT 0 0.650 / 0.912, 0.05 to 0.2 0.658 / 0.912 (3 won, 0 lost); 3 documents 0.658 / 0.908.
DOCUMENTS = 1
LIFT = 0.05


def asks_effect(question: str) -> bool:
    """Whether a question asks on what date something takes effect."""
    folded = fold_text(question)
    return bool(
        ASKS_EFFECT.search(folded) and ASKS_WHEN.search(folded) and not _SPAN.search(folded)
    )


def with_effective(
    session: Session,
    question: str,
    candidates: Sequence[Scored],
    passages: dict[PassageKey, Passage],
) -> list[Scored]:
    """The candidates, and (for a question asking when something takes effect) the passages of
    the best DOCUMENTS documents that hold a date they take effect on, at their document's best
    score plus LIFT, best first; `passages` gains theirs."""
    if not candidates or not asks_effect(question):
        return list(candidates)
    best: dict[str, float] = {}
    for result in candidates:
        doc_id = passages[result.key].doc_id
        if doc_id not in best and len(best) < DOCUMENTS:
            best[doc_id] = result.score
    found = session.reader.find_claims(ClaimFilters(kind="date", docs=tuple(best)))
    keys = {
        claim.passage_id: best[claim.doc_id]
        for claim in found
        if isinstance(claim, DateClaim) and claim.role == "effective" and claim.doc_id in best
    }
    if not keys:
        return list(candidates)
    passages.update(session.reader.passages([key for key in keys if key not in passages]))
    known = {result.key: result for result in candidates}
    joined = [
        replace(known[key], score=max(known[key].score, score + LIFT))
        if key in known
        else Scored(key, score + LIFT, None, None)
        for key, score in keys.items()
    ]
    kept = [result for result in candidates if result.key not in keys]
    return sorted([*kept, *joined], key=lambda r: (-r.score, passage_order(r.key)))
