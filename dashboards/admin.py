"""Targets and reviews are kept on the review page (with who and when); the admin
shows them read-only for audit. The rollup tables are internal and not shown."""

from django.contrib import admin

from dashboards.models import QuarterAction, QuarterReview, Target
from organization.admin import ReadOnlyAdmin


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["fiscal_year", "quarter", "kpi", "value", "set_by", "set_at"]
    list_filter = ["fiscal_year", "quarter", "kpi"]


@admin.register(QuarterAction)
class QuarterActionAdmin(ReadOnlyAdmin):
    list_display = ["fiscal_year", "quarter", "stage", "kpi", "text", "owner", "due_on", "done_at"]
    list_filter = ["fiscal_year", "quarter", "stage"]


@admin.register(QuarterReview)
class QuarterReviewAdmin(ReadOnlyAdmin):
    list_display = ["fiscal_year", "quarter", "reviewed_by", "reviewed_at"]
