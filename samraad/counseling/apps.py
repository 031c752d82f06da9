from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounselingConfig(AppConfig):
    name = "samraad.counseling"
    label = "counseling"
    verbose_name = _("Counseling")

    def ready(self) -> None:
        from samraad.counseling import signals  # noqa: F401 - connects the receivers
        from samraad.lib import checkpoints  # noqa: F401 - SQLite's checkpoints off the messages' path
