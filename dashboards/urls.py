from django.urls import path

from dashboards import exports, review_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("refresh/", views.refresh, name="refresh"),
    path("periods/", views.period_options, name="period_options"),
    path("comparison/", views.comparison, name="comparison"),
    path("letters/", views.letters, name="letters"),
    path("complaints/", views.complaints, name="complaints"),
    path("export/<slug:table>.csv", exports.export, name="export"),
    path("review/", review_views.review_current, name="review_current"),
    path("review/<str:key>/", review_views.review, name="review"),
    path("review/<str:key>/report.pdf", review_views.review_pdf, name="review_pdf"),
    path(
        "review/<str:key>/actions/<int:action_id>/done/",
        review_views.action_done,
        name="action_done",
    ),
]
