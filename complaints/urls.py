from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_new, name="new"),
    path("similar/", views.similar, name="similar"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("knowledge/<int:pk>/", views.knowledge_case, name="knowledge_case"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path(
        "<int:pk>/escalations/<int:escalation_id>/respond/",
        views.escalation_respond,
        name="respond",
    ),
    path("<int:pk>/<slug:action>/", views.complaint_action, name="action"),
]
