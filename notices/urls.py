from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("rules/<int:rule_id>/preview.pdf", views.preview, name="preview"),
    path("import/", views.import_certificates, name="import"),
    path("import/<int:run_id>/", views.import_report, name="import_report"),
]
