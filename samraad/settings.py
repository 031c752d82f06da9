"""Samraad's settings: one module, driven by the environment (see README, "Configuration")."""

from __future__ import annotations

import sys
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from samraad.lib.env import env_bool, env_int, env_list, env_origins, env_str
from samraad.lib.secret_key import load_or_create_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SAMRAAD_VAR_DIR", str(BASE_DIR / "var")))

# Demo mode: made-up data, a banner on every staff page, sign-in without a second factor.
SAMRAAD_DEMO = env_bool("SAMRAAD_DEMO", False)
DEBUG = env_bool("DEBUG", False)
# Served over HTTPS (secure cookies, HSTS, redirect). Off only for a demo on plain HTTP.
SAMRAAD_HTTPS = env_bool("SAMRAAD_HTTPS", not SAMRAAD_DEMO and not DEBUG)

SECRET_KEY = env_str("SECRET_KEY") or load_or_create_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "samraad.accounts",
    "samraad.audit",
    "samraad.rota",
    "samraad.counseling",
    "samraad.reports",
    "samraad.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Near the top, like the two above: a refusal answered by a middleware further in (a host not
    # in ALLOWED_HOSTS, the second-factor detour) must not be frameable either.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outside every middleware that may answer for a signed-in person (the second-factor detour,
    # the lock-out page), so its answers are never stored either.
    "samraad.accounts.middleware.NoStoreWhenSignedInMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samraad.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samraad.urls"
ASGI_APPLICATION = "samraad.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "samraad" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samraad.accounts.context_processors.samraad",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "samraad.sqlite3"),
            "OPTIONS": {
                # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock
                # at the start of a transaction instead of failing half-way with "locked". The
                # log is copied back by a thread of its own (lib/checkpoints.py); a commit
                # checkpoints only every 10,000 pages, with little left to copy.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
                    "PRAGMA wal_autocheckpoint=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # A file, as in production: an in-memory database shared between threads locks whole
            # tables and ignores the busy timeout, which concurrency tests would trip over.
            "TEST": {"NAME": str(VAR_DIR / "test-samraad.sqlite3")},
            # Kept open: opening SQLite per chat message cost a third of the server's time.
            "CONN_MAX_AGE": None,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Each worker delivers to its own sockets and tells the others by Redis pub/sub (layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "samraad.lib.layers.RedisLayer", "CONFIG": {"url": REDIS_URL}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "samraad.lib.layers.LocalLayer"}}

# Days after a conversation ends before the retention purge deletes its words (numbers stay);
# an organisation may set its own (Organisation.retention_days).
SAMRAAD_RETENTION_DAYS = env_int("SAMRAAD_RETENTION_DAYS", 30, minimum=1)
# The chat's limits (docs/protocol.md): a frame's size, a message's length, how fast a socket may
# send, and how long a side may be gone before the conversation moves on without it.
SAMRAAD_CHAT_MAX_FRAME_BYTES = env_int("SAMRAAD_CHAT_MAX_FRAME_BYTES", 16 * 1024, minimum=1024)
SAMRAAD_CHAT_MAX_BODY_CHARS = env_int("SAMRAAD_CHAT_MAX_BODY_CHARS", 4000, minimum=100)
SAMRAAD_CHAT_FRAMES_PER_SECOND = env_int("SAMRAAD_CHAT_FRAMES_PER_SECOND", 10, minimum=1)
SAMRAAD_CHAT_FRAME_BURST = env_int("SAMRAAD_CHAT_FRAME_BURST", 20, minimum=1)
# New chat sockets a minute from one source (a school or a carrier's NAT shares one): generous,
# but one address can no longer hold sockets open without end.
SAMRAAD_CHAT_CONNECTIONS_PER_MINUTE = env_int("SAMRAAD_CHAT_CONNECTIONS_PER_MINUTE", 120, minimum=1)
SAMRAAD_CHAT_HELLO_TIMEOUT_S = env_int("SAMRAAD_CHAT_HELLO_TIMEOUT_S", 10, minimum=1)
SAMRAAD_CHAT_HEARTBEAT_S = env_int("SAMRAAD_CHAT_HEARTBEAT_S", 15, minimum=1)
SAMRAAD_CHAT_YOUNG_GRACE_S = env_int("SAMRAAD_CHAT_YOUNG_GRACE_S", 120, minimum=1)
SAMRAAD_CHAT_COUNSELOR_GRACE_S = env_int("SAMRAAD_CHAT_COUNSELOR_GRACE_S", 90, minimum=1)
# A chat opened over HTTP joins the queue when its socket says hello; one whose socket never
# does is deleted after this many seconds, so a script that only opens chats fills no queue.
SAMRAAD_CHAT_CONNECT_GRACE_S = env_int("SAMRAAD_CHAT_CONNECT_GRACE_S", 60, minimum=10)
# New conversations and letters an hour from one source (a school's NAT shares one).
SAMRAAD_CHAT_OPENED_PER_HOUR = env_int("SAMRAAD_CHAT_OPENED_PER_HOUR", 30, minimum=1)
# Seconds a conversation from a municipality is offered only to that municipality's counselors.
SAMRAAD_LOCAL_PREFERENCE_S = env_int("SAMRAAD_LOCAL_PREFERENCE_S", 60, minimum=0)
# Seconds an automatic offer waits for the counselor's answer before it goes to the next one.
SAMRAAD_OFFER_TIMEOUT_S = env_int("SAMRAAD_OFFER_TIMEOUT_S", 30, minimum=5)
# A wait this long is flagged on the supervisor's floor.
SAMRAAD_FLOOR_LONG_WAIT_S = env_int("SAMRAAD_FLOOR_LONG_WAIT_S", 300, minimum=1)
# Web sites allowed to embed the chat widget (frame-ancestors), e.g. https://aarhus.dk, besides
# those each organisation registers in the administration (samraad/accounts/embedding.py).
SAMRAAD_WIDGET_ORIGINS = env_origins("SAMRAAD_WIDGET_ORIGINS")
SAMRAAD_RESUME_ATTEMPTS_PER_HOUR = env_int("SAMRAAD_RESUME_ATTEMPTS_PER_HOUR", 20, minimum=1)
# Counselors the rota wants on shift in every hour; fewer is shown as a gap.
SAMRAAD_ROTA_MINIMUM = env_int("SAMRAAD_ROTA_MINIMUM", 1, minimum=1)

# Keys that encrypt message text at rest, newest first; older ones only decrypt (rotation).
SAMRAAD_MESSAGE_KEYS = env_list("SAMRAAD_MESSAGE_KEYS", [])

# --- People and sign-in ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60, minimum=60)
OTP_TOTP_ISSUER = "Samraad"

# Sign-in guessing (samraad/accounts/lockout.py, docs/security.md "Sign-in"): a username and a
# source together are locked for the cool-off after AXES_FAILURE_LIMIT failures; beyond that many
# failures at an account from anywhere, sources its owner has not signed in from wait 1 s, doubling
# with each failure, at most SAMRAAD_SIGN_IN_DELAY_CAP_S. Nobody can lock the owner's own machine out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "samraad.accounts.lockout.SamraadAxesHandler"
AXES_LOCKOUT_CALLABLE = "samraad.accounts.lockout.refusal"
AXES_RESET_ON_SUCCESS = True
SAMRAAD_SIGN_IN_DELAY_CAP_S = env_int("SAMRAAD_SIGN_IN_DELAY_CAP_S", 900, minimum=1)
# Days a source stays known after its owner last signed in from it with every factor.
SAMRAAD_KNOWN_SOURCE_DAYS = env_int("SAMRAAD_KNOWN_SOURCE_DAYS", 30, minimum=1)
# Only the direct peer counts: a client-set X-Forwarded-For must not dodge the lock-out.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "samraad@localhost")

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "samraad" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = SAMRAAD_HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "samraad" / "static"]
STATIC_ROOT: Path | None = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# WhiteNoise streams files with a synchronous iterator, which Django's ASGI handler consumes in a
# thread and warns about on every file. Harmless here; a proxy serves static files in production.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
if "pytest" in sys.modules:
    # Tests render templates without running collectstatic first.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    STATIC_ROOT = None
    WHITENOISE_USE_FINDERS = True

# --- Security headers -----------------------------------------------------------------------
SECURE_SSL_REDIRECT = SAMRAAD_HTTPS
SESSION_COOKIE_SECURE = SAMRAAD_HTTPS
CSRF_COOKIE_SECURE = SAMRAAD_HTTPS
SECURE_HSTS_SECONDS = 63072000 if SAMRAAD_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SAMRAAD_HTTPS
SECURE_HSTS_PRELOAD = SAMRAAD_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SAMRAAD_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Logging: never a young person's address or browser -------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_client_address": {"()": "samraad.lib.logfilters.WithoutClientAddress"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The request logger's lines carry no client address, but the server's access log would.
        "django.server": {"handlers": [], "propagate": False},
        # uvicorn names the peer in every WebSocket handshake it logs, access log or not. Only a
        # filter is set here: uvicorn's own handlers and level for this logger stay as they are.
        "uvicorn.error": {"filters": ["without_client_address"]},
    },
}
