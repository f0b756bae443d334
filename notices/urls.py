from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("rules/<int:rule_id>/preview.pdf", views.preview, name="preview"),
    path("rules/<int:rule_id>/create/", views.create_letters, name="create_letters"),
    path("rules/<int:rule_id>/why-not/", views.why_not, name="why_not"),
    path("rules/<int:rule_id>/forecast/", views.forecast, name="forecast"),
    path(
        "rules/<int:rule_id>/why-not/<int:certificate_id>/release/",
        views.release_booking_match,
        name="release_booking_match",
    ),
    path("batches/<int:batch_id>/<str:step>/", views.mark_batch, name="mark_batch"),
    path("parts/<int:chunk_id>.pdf", views.chunk_pdf, name="chunk_pdf"),
    path("import/", views.import_certificates, name="import"),
    path("import/<int:run_id>/", views.import_report, name="import_report"),
    path("import/<int:run_id>/resume/", views.import_resume, name="import_resume"),
    path(
        "import/<int:run_id>/moves/confirm/",
        views.import_moves_confirm,
        name="import_moves_confirm",
    ),
    path("import/<int:run_id>/refused.csv", views.import_errors_csv, name="import_errors_csv"),
]
