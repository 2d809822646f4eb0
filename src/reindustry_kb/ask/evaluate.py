"""Retrieval evaluation: recall@k and MRR@10 of the passage that holds a question's answer."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError, model_validator

from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.search import dense_scores
from reindustry_kb.errors import RkbError
from reindustry_kb.ingest.segment import shown_text
from reindustry_kb.models import NO_FILTERS, Hit, answer_slice, language_group, passage_order
from reindustry_kb.text.language import detect_lang

if TYPE_CHECKING:
    from reindustry_kb.ask.session import Session

CUTOFFS = (1, 5, 10)


class Question(BaseModel):
    id: str
    question: str
    # Either may be absent: without answers a hit is relevant for coming from the document.
    answers: list[str] = []
    doc: str | None = None
    lang: str | None = None
    split: str | None = None  # e.g. "tune" or "heldout": tune on one part, report the other

    @model_validator(mode="before")
    @classmethod
    def _one_answer(cls, record: Any) -> Any:
        """Accept `"answer": "..."` for a single answer."""
        if isinstance(record, dict) and "answers" not in record and "answer" in record:
            answer = record["answer"]
            record = {**record, "answers": [answer] if isinstance(answer, str) else answer}
        return record

    @model_validator(mode="after")
    def _judgeable(self) -> Question:
        # Asked as `rkb ask` asks it: stripped, and not empty.
        self.question = self.question.strip()
        if not self.question:
            raise ValueError("the question is empty")
        if not self.doc and not any(self.answers):
            raise ValueError("a question needs an expected doc or answers")
        return self


class Scores(BaseModel):
    n: int
    recall: dict[str, float]
    mrr10: float


class Report(BaseModel):
    overall: Scores
    by_group: dict[str, Scores]
    misses: list[dict[str, object]]
    # Of the questions whose answer passage is in the top 5, the share whose answering
    # sentences (the hit's answer span) quote the answer; None when the retriever gives none.
    answer_accuracy: float | None = None


DISTRACTORS = "_distractors"  # where another folder's documents go beside the seeds


def library_with_distractors(seeds_dir: Path, distractors: Path, folder: Path) -> Path:
    """A seeds folder under `folder` holding the question set's documents (same doc_ids) and,
    under `_distractors/`, another folder's documents competing with them."""
    if not distractors.is_dir():
        raise RkbError(f"distractor folder {distractors} does not exist")
    if not seeds_dir.is_dir():
        raise RkbError(f"seeds folder {seeds_dir} does not exist")
    library = folder / "seeds"
    shutil.copytree(seeds_dir, library)
    shutil.copytree(distractors, library / DISTRACTORS)
    return library


def load_questions(path: Path) -> list[Question]:
    """JSONL ({"question", "answers"? or "answer"?, "doc"?, "lang"?}) or TSV (question,
    answer[|answer...], doc?); each question names a document, answers or both."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RkbError(f"cannot read questions file {path} ({exc.strerror})") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            if path.suffix == ".tsv":
                fields = line.split("\t")
                questions.append(
                    Question(
                        id=f"q{number}",
                        question=fields[0],
                        answers=[a for a in fields[1].split("|") if a],
                        doc=fields[2] if len(fields) > 2 and fields[2] else None,
                    )
                )
            else:
                record = json.loads(line)
                record.setdefault("id", f"q{number}")
                questions.append(Question.model_validate(record))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            reason = f"{where}: {first['msg']}" if where else first["msg"]
            raise RkbError(f"{path}:{number} is not a valid question line ({reason})") from exc
        except (ValueError, IndexError) as exc:
            raise RkbError(f"{path}:{number} is not a valid question line ({exc})") from exc
    if not questions:
        raise RkbError(f"{path} holds no questions")
    return questions


def only_split(questions: Sequence[Question], split: str, path: Path) -> list[Question]:
    """The questions of one split (their `split` field)."""
    if chosen := [question for question in questions if question.split == split]:
        return chosen
    splits = sorted({question.split for question in questions if question.split})
    found = f"its splits: {', '.join(splits)}" if splits else 'no question has a "split" field'
    raise RkbError(f"{path} has no question in split {split!r} ({found})")


def documents_only(questions: Sequence[Question], path: Path) -> list[Question]:
    """The questions judged by their expected document alone (answers set aside)."""
    if missing := [question.id for question in questions if not question.doc]:
        raise RkbError(
            f"{path}: judging by document needs every question's doc; {len(missing)} have "
            f"none (first: {missing[0]})"
        )
    return [question.model_copy(update={"answers": []}) for question in questions]


def is_relevant(question: Question, doc_id: str, text: str) -> bool:
    """Right document (when given) and an answer quoted in the passage (when answers are given),
    in its source text or in the clean text a reader is shown (quotes(): through markup)."""
    if question.doc and question.doc != doc_id:
        return False
    return not question.answers or quotes(text, question.answers)


def quotes(text: str, answers: Sequence[str]) -> bool:
    """Whether text quotes one of the answers, as written in the source or as shown (markup
    removed: segment.shown_text), so that `<b>2024</b> 年` quotes `2024 年`."""
    if any(answer in text for answer in answers):
        return True
    shown = shown_text(text)[0]
    return any(answer in shown for answer in answers)


def evaluate(
    questions: Sequence[Question],
    retrieve: Callable[[str], Ranked],
) -> Report:
    """`retrieve` returns ranked (doc_id, passage text, answer span text or None[, the
    documents of the passage's copies]) for a question, at least 10 deep. A passage is the
    question's document's when its own or a copy's document is (a file indexed twice answers
    once, under the first name: ask/copies.py)."""
    ranks: list[int | None] = []
    answered: list[bool] = []
    groups: dict[str, list[int | None]] = {}
    misses: list[dict[str, object]] = []
    for question in questions:
        ranked = retrieve(question.question)[: max(CUTOFFS)]
        rank = next(
            (
                i
                for i, found in enumerate(ranked, start=1)
                if any(is_relevant(question, doc_id, found[1]) for doc_id in _documents(found))
            ),
            None,
        )
        ranks.append(rank)
        if rank is not None and rank <= 5 and question.answers and ranked[rank - 1][2] is not None:
            answered.append(quotes(ranked[rank - 1][2] or "", question.answers))
        lang = question.lang or detect_lang(question.question)
        names = [f"lang={lang}"]
        if question.answers:
            # The answer is quoted from the passage, so its language is the passage's.
            target = detect_lang(question.answers[0])
            same = language_group(lang) == language_group(target)
            names.append("same-language" if same else "cross-language")
            # Which way: Chinese questions on English documents fare apart from the reverse.
            names.append(f"{language_group(lang)} -> {language_group(target)}")
        for group in names:
            groups.setdefault(group, []).append(rank)
        if rank != 1:
            misses.append(
                {
                    "id": question.id,
                    "question": question.question,
                    "rank": rank,
                    "top": ranked[0][0] if ranked else None,
                }
            )
    return Report(
        overall=_scores(ranks),
        by_group={name: _scores(values) for name, values in sorted(groups.items())},
        misses=misses,
        answer_accuracy=round(sum(answered) / len(answered), 4) if answered else None,
    )


Ranked = list[tuple[str, str, str | None] | tuple[str, str, str | None, tuple[str, ...]]]


def compare_retrievers(session: Session, depth: int = 10) -> dict[str, Callable[[str], Ranked]]:
    """Each retriever alone, naive reciprocal-rank fusion, and rkb's hybrid, ranked to `depth`."""
    reader = session.reader
    passages = {passage.passage_id: passage for passage in reader.iter_passages()}

    def ranked(keys: Iterable[str]) -> Ranked:
        return [(passages[key].doc_id, passages[key].text, None) for key in list(keys)[:depth]]

    def by_score(scores: dict[str, float]) -> list[str]:
        return sorted(scores, key=lambda key: (-scores[key], passage_order(key)))

    def bm25_scores(question: str) -> dict[str, float]:
        terms = [(term, 1.0) for term in reader.query_terms(question)]
        return reader.lexical_scores(terms, NO_FILTERS)

    def dense(question: str) -> Ranked:
        return ranked(by_score(dense_scores(session, question, NO_FILTERS)))

    def bm25(question: str) -> Ranked:
        return ranked(by_score(bm25_scores(question)))

    def rrf(question: str) -> Ranked:
        fused: dict[str, float] = {}
        for scores in (dense_scores(session, question, NO_FILTERS), bm25_scores(question)):
            for rank, key in enumerate(by_score(scores), start=1):
                fused[key] = fused.get(key, 0.0) + 1 / (60 + rank)
        return ranked(by_score(fused))

    def hybrid(question: str) -> Ranked:
        return [
            (hit.doc_id, hit.text, hit.text[answer_slice(hit)], copied_documents(hit))
            for hit in ask(session, question, depth).hits
        ]

    return {"dense": dense, "bm25": bm25, "rrf": rrf, "hybrid": hybrid}


def format_table(reports: dict[str, Report]) -> str:
    """Plain-text tables: each retriever's overall figures, then R@1/R@5 and the number of
    questions of each group, a row a group (a column a retriever: it fits 80 columns)."""
    first = next(iter(reports.values()))
    lines = [f"{'retriever':<10} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7}"]
    for name, report in reports.items():
        o = report.overall
        r = o.recall
        lines.append(f"{name:<10} {r['@1']:>6.3f} {r['@5']:>6.3f} {r['@10']:>6.3f} {o.mrr10:>7.3f}")
    lines.append(f"(n = {first.overall.n} questions)")
    if first.by_group:
        lines += [
            "",
            f"{'group (R@1/R@5)':<16}" + "".join(f"{name:>11}" for name in reports) + "      n",
        ]
        for group in sorted(first.by_group):
            cells = (_cell(report.by_group.get(group)) for report in reports.values())
            lines.append(f"{group:<16}" + "".join(cells) + f"{first.by_group[group].n:>7}")
    for name, report in reports.items():
        if report.answer_accuracy is not None:
            lines.append(
                f"{name}: the answering sentence quotes the answer for "
                f"{report.answer_accuracy:.3f} of those in the top 5"
            )
    return "\n".join(lines)


def _cell(scores: Scores | None) -> str:
    return (f"{scores.recall['@1']:.2f}/{scores.recall['@5']:.2f}" if scores else "-").rjust(11)


def _scores(ranks: Sequence[int | None]) -> Scores:
    n = len(ranks)
    recall = {f"@{k}": round(sum(r is not None and r <= k for r in ranks) / n, 4) for k in CUTOFFS}
    mrr = sum(1 / r for r in ranks if r is not None and r <= 10) / n
    return Scores(n=n, recall=recall, mrr10=round(mrr, 4))


def _documents(found: tuple[Any, ...]) -> tuple[str, ...]:
    """A ranked passage's document, and its copies' where the retriever gives them."""
    return (found[0], *(found[3] if len(found) > 3 else ()))


def copied_documents(hit: Hit) -> tuple[str, ...]:
    """The documents of a hit's copies: a copy's citation is its document's and then the
    hit's own lines (and page), as the copies are the same bytes."""
    where = hit.citation[len(hit.doc_id) :]
    return tuple(citation.removesuffix(where) for citation in hit.copies)
