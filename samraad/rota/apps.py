from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotaConfig(AppConfig):
    name = "samraad.rota"
    label = "rota"
    verbose_name = _("Rota and presence")
