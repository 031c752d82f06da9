from django.urls import include, path
from django.views.generic import RedirectView

from samraad.admin_site import site as admin_site
from samraad.api.api import api

urlpatterns = [
    # The public face of Samraad is the chat; staff sign in at /login/.
    path("", RedirectView.as_view(pattern_name="counseling:chat", permanent=False)),
    path("", include("samraad.accounts.urls")),
    path("", include("samraad.counseling.urls")),
    path("rota/", include("samraad.rota.urls")),
    path("reports/", include("samraad.reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
    path("api/", api.urls),
]
