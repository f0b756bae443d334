"""The severity policy: four factors give points, the points give a level 1–4.

Both tables are edited in the admin (``SeverityWeight``, ``SeverityLevel``); the level
then sets who must be told, the report deadlines and who approves the closing.
"""

from dataclasses import dataclass

from complaints.models import Factor, SeverityLevel, SeverityWeight


@dataclass(frozen=True)
class Assessment:
    points: int
    level: int


def assess(*, damage: str, reach: str, emotion: str, repeat: str) -> Assessment:
    """The policy's level for these answers: the highest level whose score is reached."""
    answers = {
        Factor.DAMAGE: damage,
        Factor.REACH: reach,
        Factor.EMOTION: emotion,
        Factor.REPEAT: repeat,
    }
    weights = {(w.factor, w.value): w.points for w in SeverityWeight.objects.all()}
    points = sum(weights.get((factor, value), 0) for factor, value in answers.items())
    level = 1
    for row in SeverityLevel.objects.order_by("level").only("level", "min_points"):
        if points >= row.min_points:
            level = max(level, row.level)
    return Assessment(points=points, level=level)


def level_settings(level: int) -> SeverityLevel:
    """The deadlines and approver of ``level``; a level missing from the admin falls back
    to the nearest lower one so a complaint is never left without deadlines."""
    row = SeverityLevel.objects.filter(level__lte=level).order_by("-level").first()
    if row is None:
        row = SeverityLevel.objects.order_by("level").first()
    if row is None:
        # The default policy is created by migration 0002; an empty table is a set-up error.
        raise SeverityLevel.DoesNotExist("No severity levels are defined.")
    return row
