"""The severity policy and categories are master data, edited here. Complaints themselves
are not in the admin: their personal data is read only through the app's pages, where
every view is logged, and every change goes through the services and the timeline."""

from django.contrib import admin

from complaints.models import Category, PersonalDataAccess, SeverityLevel, SeverityWeight


@admin.register(SeverityWeight)
class SeverityWeightAdmin(admin.ModelAdmin):
    list_display = ["factor", "value_label", "points"]
    list_editable = ["points"]
    list_display_links = ["value_label"]
    list_filter = ["factor"]


@admin.register(SeverityLevel)
class SeverityLevelAdmin(admin.ModelAdmin):
    list_display = [
        "level",
        "name",
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
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "display_order"]
    list_editable = ["display_order"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only in the database as well."""

    list_display = ["at", "user", "complaint_id", "view"]
    list_filter = ["view"]
    search_fields = ["user__username", "complaint__id"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
