from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("import/", views.import_certificates, name="import"),
    path("import/<int:run_id>/", views.import_report, name="import_report"),
]
