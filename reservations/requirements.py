"""Requirements that fit the applicant: the questions a procedure asks before the
documents, and which document rules apply for the answers given.

A rule with no ``applies_when`` answers applies to everyone. Otherwise its answers are
grouped by question, and the rule applies when, for every question concerned, the
applicant's answer is one of the rule's (within a question: any of them; across
questions: all). A question the applicant was never asked (added after they booked)
counts as not excluding the rule: when in doubt a rule is shown.

The set of rules to agree to is always computed here from the answers, on the server;
a client-sent list of rules is never trusted.
"""

import itertools
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import translation

from reservations.models import DocumentRule, Procedure, ProcedureQuestion, QuestionChoice

FIELD_PREFIX = "q_"


def rules_in_force(procedure: Procedure) -> list[DocumentRule]:
    """The procedure's document rules in force, from the database (never the cache): the
    consent form must show, and check against, the wording in force now."""
    return list(
        DocumentRule.objects.filter(procedure=procedure, is_active=True).prefetch_related(
            "applies_when"
        )
    )


def questions_of(procedure) -> list[ProcedureQuestion]:
    """The procedure's questions that have answers to choose from, with them, in order
    (2 queries). A question without answers yet is not asked (nobody could answer it)."""
    questions = ProcedureQuestion.objects.filter(procedure=procedure).prefetch_related(
        Prefetch("choices", queryset=QuestionChoice.objects.order_by("display_order", "id"))
    )
    return [question for question in questions if question.choices.all()]


def field_name(question: ProcedureQuestion) -> str:
    return "%s%d" % (FIELD_PREFIX, question.pk)


def chosen_from_data(questions: list[ProcedureQuestion], data) -> dict[int, QuestionChoice]:
    """Question id → choice for each question answered with one of its own choices in
    ``data`` (a QueryDict or dict of ``q_<question id>`` → choice id); anything else is
    left out (and so unanswered)."""
    chosen = {}
    for question in questions:
        raw = str(data.get(field_name(question), "")).strip()
        for choice in question.choices.all():
            if raw == str(choice.pk):
                chosen[question.pk] = choice
    return chosen


def chosen_from_ids(
    questions: list[ProcedureQuestion], answers: dict[int, int]
) -> dict[int, QuestionChoice]:
    """The same from question id → choice id (the service's input)."""
    return chosen_from_data(
        questions, {field_name(q): answers[q.pk] for q in questions if q.pk in answers}
    )


def unanswered(
    questions: list[ProcedureQuestion], chosen: dict[int, QuestionChoice]
) -> list[ProcedureQuestion]:
    return [question for question in questions if question.pk not in chosen]


def rule_applies(rule: DocumentRule, chosen: dict[int, QuestionChoice]) -> bool:
    wanted: dict[int, set[int]] = {}
    for choice in rule.applies_when.all():
        wanted.setdefault(choice.question_id, set()).add(choice.pk)
    return all(
        question_id not in chosen or chosen[question_id].pk in choice_ids
        for question_id, choice_ids in wanted.items()
    )


def applicable_rules(
    rules: list[DocumentRule], chosen: dict[int, QuestionChoice]
) -> list[DocumentRule]:
    """The rules (with ``applies_when`` prefetched) that apply for these answers."""
    return [rule for rule in rules if rule_applies(rule, chosen)]


def changed_since_booking(
    reservation, procedure=None, questions=None
) -> tuple[dict[int, int], list[DocumentRule]]:
    """The versions the citizen agreed to, and the rules in force that apply for the
    booking's answers and whose wording changed since (or that are new): what the city
    asks now and the citizen has not read. A change of booking asks them to agree to
    these; the booking's page and the reminder show them. ``procedure``: the booking
    pages' procedure with its ``rules_in_force``; else they are read here (as are its
    ``questions``, unless given: the counter's queue reads both once per procedure)."""
    agreed = {
        consent.rule_id: consent.rule_version
        for consent in reservation.consents.all()
        if consent.rule_id
    }
    procedure = procedure or reservation.procedure
    in_force = getattr(procedure, "rules_in_force", None)
    if in_force is None:
        in_force = rules_in_force(procedure)
    chosen = chosen_from_ids(
        questions if questions is not None else questions_of(procedure),
        {a.question_id: a.choice_id for a in reservation.answers.all() if a.choice_id},
    )
    rules = applicable_rules(in_force, chosen)
    return agreed, [rule for rule in rules if agreed.get(rule.pk) != rule.version]


def reworded_since_booking(reservation, procedure=None, questions=None) -> list[DocumentRule]:
    """The rules of ``changed_since_booking`` that now say something else, in the
    language the citizen booked in, than what they agreed to (or are new to them): what
    their booking's page and reminder tell them to read again. A new translation into
    another language is a new version too, but asks nothing new of them."""
    _agreed, changed = changed_since_booking(reservation, procedure, questions)
    agreed_texts = {c.rule_id: c.rule_text for c in reservation.consents.all()}
    with translation.override(reservation.language):
        return [rule for rule in changed if rule.text != agreed_texts.get(rule.pk)]


def as_ids(chosen: dict[int, QuestionChoice]) -> dict[int, int]:
    return {question_id: choice.pk for question_id, choice in chosen.items()}


def as_query(chosen: dict[int, QuestionChoice]) -> dict[str, int]:
    """The answers as the booking pages carry them (``q_<question id>`` → choice id)."""
    return {"%s%d" % (FIELD_PREFIX, qid): choice.pk for qid, choice in chosen.items()}


@dataclass(frozen=True)
class Combination:
    """One way of answering every question, and the rules a citizen then agrees to."""

    answers: list[QuestionChoice]
    rules: list[DocumentRule]


def combinations(
    questions: list[ProcedureQuestion], rules: list[DocumentRule]
) -> list[Combination]:
    """Every combination of answers (at most a few questions of a few answers each) with
    the rules shown for it: the admin's preview."""
    asked = [question for question in questions if question.choices.all()]
    result = []
    for answers in itertools.product(*(list(q.choices.all()) for q in asked)):
        chosen = {choice.question_id: choice for choice in answers}
        result.append(Combination(list(answers), applicable_rules(rules, chosen)))
    return result
