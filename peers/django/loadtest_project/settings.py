"""Settings of the seeds' Django service.

`startproject`'s settings with what the seed does not use taken out: the seed "intentionally avoids
database operations", so there is no database and none of the apps or middleware that need one
(admin, auth, sessions, messages). What is left is what every request of a production Django
deployment goes through. Production mode as in seed 001's ECS notes: DEBUG off, ALLOWED_HOSTS and
the secret key from the environment.
"""

import os
import tempfile
from pathlib import Path

from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DEBUG", "False").lower() in ("1", "true", "yes")
# Nothing is signed (no sessions, no CSRF-protected forms): a key made at start is enough, and
# DJANGO_SECRET_KEY sets a fixed one as in the seed.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = ["heavy_api"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "loadtest_project.urls"
WSGI_APPLICATION = "loadtest_project.wsgi.application"

DATABASES = {}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _int_env(name, default):
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a decimal integer (got {raw!r})")
    return int(raw)


# Largest accepted value of each heavy parameter, inclusive (the lab's variable names). The lab
# accepts prime_limit up to 1e8; a Python sieve holds a byte per number, and four workers under a
# 256 MB cap cannot each hold 100 MB, so this peer stops at 1e7 (the seed's "heavier load" example
# is 1e6). io_kb: the seed's 5 MB cap.
HEAVY_CAPS = {
    "prime_limit": _int_env("MAX_PRIME_LIMIT", 10_000_000),
    "hash_rounds": _int_env("MAX_HASH_ROUNDS", 10_000_000),
    "io_kb": _int_env("MAX_IO_KB", 5120),
}
# The seed writes its file in /tmp; DATA_DIR moves it, as for the lab.
HEAVY_DATA_DIR = os.environ.get("DATA_DIR") or tempfile.gettempdir()
