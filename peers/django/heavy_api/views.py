"""The seeds' endpoints: /hello, /heavy/health/ and /heavy/cpu-io-no-db/."""

import os
import platform
import re
import time

import django
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from .limits import read_limits
from .workload import FileRoundTripError, count_primes, file_round_trip, sha256_chain

# The seed's defaults.
DEFAULTS = {"prime_limit": 500_000, "hash_rounds": 1_000_000, "io_kb": 128}
DECIMAL = re.compile(r"[0-9]{1,15}")
STARTED = time.time()


class BadParameter(Exception):
    def __init__(self, parameter, detail, title="Invalid query parameter"):
        super().__init__(detail)
        self.parameter = parameter
        self.detail = detail
        self.title = title


def problem(status, title, detail, **extensions):
    """An RFC 9457 problem document, the shape of the lab's errors."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extensions}
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _short(value):
    return value if len(value) <= 64 else value[:64] + "…"


def heavy_params(query):
    """The three numbers of a heavy request. Strict, as the lab: a typo must not run the default."""
    for name in query:
        if name not in DEFAULTS:
            raise BadParameter(
                _short(name),
                f'unknown parameter "{_short(name)}"; known: {", ".join(DEFAULTS)}',
                "Unknown query parameter",
            )
        if len(query.getlist(name)) > 1:
            raise BadParameter(name, f'parameter "{name}" is given more than once', "Repeated query parameter")
    params = {}
    for name, default in DEFAULTS.items():
        raw = query.get(name)
        if raw is None:
            params[name] = default
            continue
        if not DECIMAL.fullmatch(raw):
            why = "is empty" if raw == "" else "is not a plain decimal integer (digits 0-9 only)"
            raise BadParameter(name, f"{name} {why}")
        value = int(raw)
        cap = settings.HEAVY_CAPS[name]
        if value > cap:
            raise BadParameter(name, f"{name} must be <= {cap} (got {value})")
        params[name] = value
    return params


@require_GET
def hello(request):
    return HttpResponse("Hello, World!", content_type="text/plain; charset=utf-8")


@require_GET
def health(request):
    return JsonResponse(
        {
            "status": "ok",
            "service": "django",
            "django": django.get_version(),
            "python": platform.python_version(),
            "server": request.META.get("SERVER_SOFTWARE", ""),
            "pid": os.getpid(),
            "uptime_sec": round(time.time() - STARTED, 1),
            "limits": read_limits(),
            "caps": settings.HEAVY_CAPS,
        }
    )


@require_GET
def cpu_io_no_db(request):
    started = time.perf_counter()
    try:
        params = heavy_params(request.GET)
    except BadParameter as err:
        return problem(400, err.title, err.detail, parameter=err.parameter)

    t0 = time.perf_counter()
    primes_found = count_primes(params["prime_limit"])
    t1 = time.perf_counter()
    digest = sha256_chain(params["hash_rounds"])
    t2 = time.perf_counter()
    try:
        file_round_trip(settings.HEAVY_DATA_DIR, params["io_kb"])
    except FileRoundTripError as err:
        return problem(500, "File I/O step failed", str(err), step=err.step)
    t3 = time.perf_counter()

    return JsonResponse(
        {
            "primes_found": primes_found,
            **params,
            "cpu_time_sec": round(t2 - t0, 6),
            "io_time_sec": round(t3 - t2, 6),
            # From the view's start: gunicorn's own queueing before it is not visible here.
            "total_time_sec": round(t3 - started, 6),
            "digest": digest,
            "sieve_time_sec": round(t1 - t0, 6),
            "hash_time_sec": round(t2 - t1, 6),
        }
    )


def not_found(request, exception=None):
    return problem(404, "Not found", f"no route for {request.method} {request.path}")


def server_error(request):
    return problem(500, "Internal error", "unexpected internal error")
