from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from organization import services
from organization.models import Department, StaffMember


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "head", "phone", "location", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["head"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "department", "role"]
    list_filter = ["department", "role"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "department"]

    def save_model(self, request, obj, form, change):
        # Through the service, so the role group and admin access follow the role.
        services.staff_member_assign(user=obj.user, department=obj.department, role=obj.role)


class StaffMemberInline(admin.StackedInline):
    model = StaffMember
    can_delete = False
    extra = 0
    max_num = 1


UserModel = get_user_model()
admin.site.unregister(UserModel)


@admin.register(UserModel)
class UserAdmin(DjangoUserAdmin):
    inlines = [StaffMemberInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffMember:
            return super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("department"):
                continue
            services.staff_member_assign(
                user=form.instance, department=data["department"], role=data["role"]
            )
        return None
