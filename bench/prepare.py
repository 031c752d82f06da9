"""Prepares a fresh Samraad database for the chat benchmark and writes who may say what.

Migrates the database named by the environment (SQLite under SAMRAAD_VAR_DIR, or DATABASE_URL),
then creates N pairs, each as the product would make it:
- a counselor in one of the 98 municipalities (round robin), role counselor, a confirmed TOTP
  device and a signed-in session that has passed the second factor: the session holds the auth
  keys `django.contrib.auth.login` writes and the device id `django_otp.login` writes, so
  `second_factor.session_is_verified` and the console's checks accept it as they would after a
  real sign-in;
- on shift (`do_set_shift`) with a capacity of `--capacity`;
- a young person's chat in the same municipality (`do_open_conversation`), assigned to that
  counselor as `do_take` assigns (`actions._assign` under the row lock), so each conversation
  is active and held one-to-one.

Writes JSON: `{"cookie_name", "pairs": [{"conversation", "token", "session"}]}`. The file holds
live secrets of a throwaway database; it lives in the benchmark's temporary directory.

Run with the server's environment, e.g.:
    SAMRAAD_VAR_DIR=/tmp/bench-var-x SAMRAAD_DEMO=0 python bench/prepare.py --pairs 100 --out pairs.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from importlib import import_module
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


def _refuse_the_default_database() -> None:
    if not os.environ.get("SAMRAAD_VAR_DIR") and not os.environ.get("DATABASE_URL"):
        sys.exit("prepare.py: set SAMRAAD_VAR_DIR (a throwaway directory) or DATABASE_URL; it never touches var/")


def prepare(count: int, capacity: int) -> dict[str, Any]:
    """Creates `count` counselor/conversation pairs in the (migrated) database and returns them."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samraad.accounts.models import Organisation, Role, RoleGrant, User
    from samraad.counseling import actions
    from samraad.counseling.models import Conversation
    from samraad.rota.models import Presence

    # Queue announcements go to sockets, and this process has none: skipping them keeps the set-up
    # linear in N instead of quadratic (each would re-read the whole queue and every counselor).
    actions.announce_queue = lambda: None

    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    municipalities = list(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("municipality_code")
    )
    if len(municipalities) != 98:
        raise SystemExit(f"expected the 98 municipalities from the migrations, found {len(municipalities)}")
    Organisation.objects.filter(pk__in=[m.pk for m in municipalities]).update(participating=True)
    start = User.objects.filter(username__startswith="bench.counselor.").count()
    pairs = []
    for number in range(start, start + count):
        municipality = municipalities[number % len(municipalities)]
        user = User.objects.create_user(username=f"bench.counselor.{number}", password=None, organisation=municipality)
        RoleGrant.objects.create(user=user, role=Role.COUNSELOR)
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = session_store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        Presence.objects.update_or_create(user=user, defaults={"capacity": capacity})
        actions.do_set_shift(user, on=True)
        opened = actions.do_open_conversation(
            municipality_code=municipality.municipality_code, topic=None, nickname=f"bench {number}"
        )
        with transaction.atomic():
            # What `do_take` does once routing has chosen: routing itself reads every counselor on
            # shift, which would make the set-up quadratic in N.
            conversation = Conversation.objects.select_for_update().get(pk=opened.conversation.pk)
            actions._assign(conversation, user, timezone.now())
        pairs.append(
            {"conversation": str(opened.conversation.pk), "token": opened.token, "session": session.session_key}
        )
    return {"cookie_name": settings.SESSION_COOKIE_NAME, "pairs": pairs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, required=True, help="how many counselor/conversation pairs")
    parser.add_argument("--out", required=True, help="where to write the pairs (JSON)")
    parser.add_argument("--capacity", type=int, default=100, help="each counselor's Presence capacity")
    arguments = parser.parse_args()
    _refuse_the_default_database()
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samraad.settings")
    import django
    from django.core.management import call_command

    django.setup()
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    prepared = prepare(arguments.pairs, arguments.capacity)
    Path(arguments.out).write_text(json.dumps(prepared))
    print(f"prepared {arguments.pairs} pairs in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
