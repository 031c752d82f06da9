from django.urls import path

from samraad.rota import views

app_name = "rota"

urlpatterns = [
    path("", views.week, name="week"),
    path("patterns/", views.pattern_list, name="patterns"),
    path("patterns/new/", views.pattern_create, name="pattern_create"),
    path("patterns/<uuid:pattern_id>/", views.pattern_edit, name="pattern_edit"),
    path("patterns/<uuid:pattern_id>/delete/", views.pattern_delete, name="pattern_delete"),
    path("changes/", views.change_list, name="changes"),
    path("changes/new/", views.change_create, name="change_create"),
    path("changes/<uuid:change_id>/", views.change_edit, name="change_edit"),
    path("changes/<uuid:change_id>/delete/", views.change_delete, name="change_delete"),
]
