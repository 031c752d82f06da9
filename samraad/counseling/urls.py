from django.urls import path

from samraad.counseling import views

app_name = "counseling"

urlpatterns = [
    path("chat/", views.chat_page, name="chat"),
    path("chat/widget/", views.widget_page, name="widget"),
    path("widget.js", views.widget_script, name="widget_script"),
    path("console/", views.console_page, name="console"),
    path("console/floor/", views.floor_page, name="floor"),
    path("console/answers/", views.own_answers_page, name="answers"),
]
