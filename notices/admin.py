from django.contrib import admin

from notices.models import Certificate, CertificateType, ImportRun, Resident


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "procedure"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["resident_number", "name", "kana", "postal_code", "address_line1", "status"]
    list_filter = ["status"]
    search_fields = ["resident_number", "name", "kana", "postal_code"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["source_id", "resident", "certificate_type", "issued_on", "expires_on"]
    list_filter = ["certificate_type"]
    search_fields = ["source_id", "resident__name", "resident__resident_number"]
    date_hierarchy = "expires_on"
    list_select_related = ["resident", "certificate_type"]
    raw_id_fields = ["resident"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "file_name",
        "encoding",
        "rows",
        "created",
        "updated",
        "unchanged",
    ]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False
