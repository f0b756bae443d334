"""Targets and reviews are kept on the review page (with who and when); the admin
shows them read-only for audit. The rollup tables are internal and not shown."""

from django.contrib import admin

from dashboards.models import QuarterAction, QuarterReview, Target


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
