from django.urls import path

from samraad.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("csv/<slug:table>/", views.report_csv, name="report_csv"),
    path("staffing/", views.staffing, name="staffing"),
    path("staffing/csv/<slug:table>/", views.staffing_csv, name="staffing_csv"),
]
