"""Moving hand-written ``<field>`` / ``<field>_en`` pairs to django-modeltranslation.

The migrations of issue 19 (organization 0006, reservations 0011, complaints 0006,
notices 0008) add one column per language next to the old pair. The English column
keeps its name, so its texts stay where they are; ``copy_into_translations`` then puts
the Japanese (the original column) into ``<field>_ja`` and turns empty texts into NULL,
which is what "not translated" means from now on.
"""

from django.db.models import F


def copy_into_translations(apps, app_label: str, fields_by_model: dict[str, list[str]]) -> None:
    for model_name, fields in fields_by_model.items():
        model = apps.get_model(app_label, model_name)
        for field in fields:
            japanese, english = field + "_ja", field + "_en"
            model.objects.filter(**{japanese + "__isnull": True}).exclude(**{field: ""}).update(
                **{japanese: F(field)}
            )
            model.objects.filter(**{english: ""}).update(**{english: None})


def copy_back_from_translations(apps, app_label: str, fields_by_model: dict[str, list[str]]):
    """Reverse: the Japanese back into the original column, NULL English back to ''."""
    for model_name, fields in fields_by_model.items():
        model = apps.get_model(app_label, model_name)
        for field in fields:
            japanese, english = field + "_ja", field + "_en"
            model.objects.filter(**{japanese + "__isnull": False}).update(**{field: F(japanese)})
            model.objects.filter(**{english + "__isnull": True}).update(**{english: ""})


def runner(app_label: str, fields_by_model: dict[str, list[str]]):
    """The forward and backward functions for ``migrations.RunPython``."""

    def forward(apps, schema_editor):
        copy_into_translations(apps, app_label, fields_by_model)

    def backward(apps, schema_editor):
        copy_back_from_translations(apps, app_label, fields_by_model)

    return forward, backward
