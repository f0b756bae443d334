"""The demo's master data: counters, procedures with their questions, document rules
and qualified clerks, and the shifts."""

import datetime as dt

from organization.models import Department, StaffMember
from organization.translation import text_columns
from reservations import availability, requirements, services
from reservations.demo.texts import COUNTERS, PROCEDURES, QUESTION_TEXTS, SHIFT_TIMES
from reservations.models import (
    Counter,
    DocumentRule,
    Procedure,
    ProcedureQuestion,
    QuestionChoice,
    Shift,
)


def staff_member(username: str) -> StaffMember:
    return StaffMember.objects.select_related("user").get(user__username=username)


def demo_answers(procedure: Procedure, index: int) -> tuple[dict, list[DocumentRule]]:
    """Answers for the ``index``-th demo booking (alternating), and the rules that then
    apply, as the booking pages compute them."""
    questions = requirements.questions_of(procedure)
    chosen = {
        question.pk: list(question.choices.all())[index % len(question.choices.all())]
        for question in questions
    }
    rules = requirements.applicable_rules(
        list(procedure.document_rules.filter(is_active=True).prefetch_related("applies_when")),
        chosen,
    )
    return chosen, rules


def master_data_seed() -> dict[str, Procedure]:
    departments = {d.code: d for d in Department.objects.all()}
    _counters_save(departments)
    procedures = {}
    for order, spec in enumerate(PROCEDURES, start=1):
        procedure = _procedure_save(spec, departments, order)
        choices = _questions_save(procedure, spec.get("questions", []))
        _rules_save(procedure, spec["rules"], choices)
        procedures[spec["code"]] = procedure
    return procedures


def _counters_save(departments: dict[str, Department]) -> None:
    for code, name, location, _clerk in COUNTERS:
        counter = Counter.objects.filter(department=departments[code], name_ja=name["ja"]).first()
        counter = counter or Counter(department=departments[code])
        for column, value in {
            **text_columns("name", name),
            **text_columns("location", location),
        }.items():
            setattr(counter, column, value)
        counter.save()


def _procedure_save(spec: dict, departments: dict[str, Department], order: int) -> Procedure:
    procedure, _created = Procedure.objects.update_or_create(
        code=spec["code"],
        defaults={
            "department": departments[spec["department"]],
            **text_columns("name", spec["name"]),
            **text_columns("description", spec["description"]),
            "duration_minutes": spec["duration_minutes"],
            "slot_interval_minutes": spec["slot_interval_minutes"],
            "requires_email_confirmation": spec.get("requires_email_confirmation", False),
            "display_order": order * 10,
        },
    )
    procedure.qualified_staff.set([staff_member(username) for username in spec["qualified"]])
    return procedure


def _questions_save(procedure: Procedure, questions: list) -> dict[str, QuestionChoice]:
    """The procedure's questions and their choices; returns the choices by their Japanese."""
    choices = {}
    for question_order, (label, answers) in enumerate(questions, start=1):
        question, _created = ProcedureQuestion.objects.update_or_create(
            procedure=procedure,
            label_ja=label,
            defaults={
                "display_order": question_order,
                **text_columns("label", QUESTION_TEXTS.get(label, {"ja": label})),
            },
        )
        for choice_order, answer in enumerate(answers, start=1):
            choices[answer], _created = QuestionChoice.objects.update_or_create(
                question=question,
                label_ja=answer,
                defaults={
                    "display_order": choice_order,
                    **text_columns("label", QUESTION_TEXTS.get(answer, {"ja": answer})),
                },
            )
    return choices


def _rules_save(procedure: Procedure, entries: list, choices: dict[str, QuestionChoice]) -> None:
    """The document rules, through the service (a changed wording is a new version)."""
    for rule_order, entry in enumerate(entries, start=1):
        # A rule is its wording, or (wording, the answers it applies for).
        wording, applies_for = entry if isinstance(entry, tuple) else (entry, [])
        rule = procedure.document_rules.filter(display_order=rule_order).first()
        if rule is None:
            rule = DocumentRule(procedure=procedure, display_order=rule_order)
        columns = text_columns("text", wording)
        changed = rule.pk is not None and any(
            getattr(rule, column) != value for column, value in columns.items()
        )
        if rule.pk is None or changed:
            for column, value in columns.items():
                setattr(rule, column, value)
            services.document_rule_save(rule=rule, wording_changed=changed)
        rule.applies_when.set([choices[answer] for answer in applies_for])


def shifts_seed(today: dt.date) -> int:
    counters = {clerk: Counter.objects.get(name_ja=name["ja"]) for _d, name, _l, clerk in COUNTERS}
    created = 0
    day = today - dt.timedelta(days=7)
    while day <= today + dt.timedelta(days=42):
        if day.weekday() < 5 and not availability.closure_reason(day, {}):
            for clerk, counter in counters.items():
                staff = staff_member(clerk)
                for start, end in SHIFT_TIMES:
                    _shift, was_created = Shift.objects.get_or_create(
                        staff=staff,
                        date=day,
                        start_time=start,
                        defaults={"end_time": end, "counter": counter},
                    )
                    created += was_created
        day += dt.timedelta(days=1)
    return created
