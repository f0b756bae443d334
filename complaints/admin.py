"""The severity policy and categories are master data, edited here. Complaints themselves
are not in the admin: their personal data is read only through the app's pages, where
every view is logged (organization.AccessLog, in the admin for administrators), and
every change goes through the services and the timeline."""

from django.contrib import admin

from complaints.models import Category, KnowledgeSynonym, SeverityLevel, SeverityWeight
from organization.admin import TranslatedAdmin


@admin.register(SeverityWeight)
class SeverityWeightAdmin(admin.ModelAdmin):
    list_display = ["factor", "value_label", "points"]
    list_editable = ["points"]
    list_display_links = ["value_label"]
    list_filter = ["factor"]


@admin.register(SeverityLevel)
class SeverityLevelAdmin(TranslatedAdmin):
    list_display = [
        "level",
        "name_ja",
        "min_points",
        "initial_report_days",
        "progress_every_days",
        "closing_report_days",
        "escalation_days",
        "approver",
        "notify_department_heads",
        "notify_managers",
    ]


@admin.register(Category)
class CategoryAdmin(TranslatedAdmin):
    list_display = ["name_ja", "name_en", "display_order"]
    list_editable = ["display_order"]


@admin.register(KnowledgeSynonym)
class KnowledgeSynonymAdmin(admin.ModelAdmin):
    list_display = ["words"]
    search_fields = ["words"]
