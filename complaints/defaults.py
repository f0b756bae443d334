"""The default severity policy and complaint categories, adjusted later in the admin.

``ensure`` takes the model classes so that migration 0002 can run it with its historical
models and tests (whose transactional cases flush the tables) with the real ones.
"""

from django.utils import translation

WEIGHTS = {
    "damage": {"none": 0, "inconvenience": 1, "financial": 3, "legal": 5},
    "reach": {"one": 0, "several": 1, "many": 3, "public": 5},
    "emotion": {"calm": 0, "dissatisfied": 1, "angry": 2, "severe": 3},
    "repeat": {"first": 0, "repeat": 2},
}

# level, name, name_en, from score, initial, progress every, closing, escalation (business
# days), approver, tell department heads, tell managers
LEVELS = [
    (1, "軽微", "Minor", 0, 3, 0, 15, 5, "department_head", False, False),
    (2, "中程度", "Moderate", 3, 2, 5, 10, 3, "department_head", True, False),
    (3, "重大", "Serious", 6, 1, 3, 10, 2, "manager", True, True),
    (4, "緊急", "Critical", 9, 0, 2, 5, 1, "manager", True, True),
]

CATEGORIES = [
    ("職員の対応", "Staff conduct"),
    ("待ち時間", "Waiting time"),
    ("手続き・必要書類", "Procedures and documents"),
    ("案内・説明", "Information and explanations"),
    ("オンライン予約・システム", "Online booking and systems"),
    ("施設・設備", "Facilities"),
    ("制度・政策", "Rules and policy"),
    ("その他", "Other"),
]


def ensure(Weight, Level, Category) -> None:
    """Create what is missing; never overwrite what an administrator changed.

    With Japanese active: ``name=`` means the Japanese name for the translated models
    (modeltranslation reads and writes the active language's column)."""
    with translation.override("ja"):
        _ensure(Weight, Level, Category)


def _ensure(Weight, Level, Category) -> None:
    for factor, values in WEIGHTS.items():
        for value, points in values.items():
            Weight.objects.get_or_create(factor=factor, value=value, defaults={"points": points})
    for row in LEVELS:
        level, name, name_en, points, initial, progress, closing, escalation = row[:8]
        Level.objects.get_or_create(
            level=level,
            defaults={
                "name": name,
                "name_en": name_en,
                "min_points": points,
                "initial_report_days": initial,
                "progress_every_days": progress,
                "closing_report_days": closing,
                "escalation_days": escalation,
                "approver": row[8],
                "notify_department_heads": row[9],
                "notify_managers": row[10],
            },
        )
    for order, (name, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "display_order": (order + 1) * 10}
        )
