from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samraad.accounts"
    label = "accounts"
    verbose_name = _("Organisations and staff")

    def ready(self) -> None:
        # Connects the signal that clears the cached widget origins when an organisation changes.
        from samraad.accounts import embedding  # noqa: F401
