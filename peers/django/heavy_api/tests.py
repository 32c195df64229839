"""Django's own tests of the peer (`manage.py test`): known answers, strict parameters, errors.

The real server (gunicorn, real requests) is tested by peers/peers.e2e.ts.
"""

import json
import os
import tempfile
from pathlib import Path

from django.test import SimpleTestCase, override_settings

from .workload import FileRoundTripError, count_primes, file_round_trip, sha256_chain

VECTORS = json.loads((Path(__file__).resolve().parents[3] / "fixtures" / "vectors.json").read_text())
# Larger vectors take seconds in CPython; the default workload is checked through gunicorn.
FAST_LIMIT = 1_000_000
FAST_ROUNDS = 100_000


class KnownAnswers(SimpleTestCase):
    def test_primes(self):
        checked = 0
        for v in VECTORS["primes"]:
            if v["limit"] <= FAST_LIMIT:
                self.assertEqual(count_primes(v["limit"]), v["count"], f"pi({v['limit']})")
                checked += 1
        self.assertGreaterEqual(checked, 10)

    def test_sha256_chain(self):
        checked = 0
        for v in VECTORS["sha256_chain"]:
            if v["rounds"] <= FAST_ROUNDS:
                self.assertEqual(sha256_chain(v["rounds"]), v["digest"], f"{v['rounds']} rounds")
                checked += 1
        self.assertGreaterEqual(checked, 6)


class FileRoundTrip(SimpleTestCase):
    def test_leaves_nothing_behind(self):
        with tempfile.TemporaryDirectory() as d:
            file_round_trip(d, 64)
            file_round_trip(d, 0)
            self.assertEqual(os.listdir(d), [])

    def test_missing_directory_names_the_step(self):
        with self.assertRaises(FileRoundTripError) as ctx:
            file_round_trip("/nonexistent-dir-for-the-test", 1)
        self.assertEqual(ctx.exception.step, "open")


class Endpoints(SimpleTestCase):
    def test_hello(self):
        r = self.client.get("/hello")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.content, b"Hello, World!")
        self.assertEqual(self.client.get("/hello/").status_code, 200)

    def test_health(self):
        body = self.client.get("/heavy/health/").json()
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["service"], "django")
        self.assertIn("cgroup_version", body["limits"])

    def test_heavy_answer(self):
        r = self.client.get("/heavy/cpu-io-no-db/", {"prime_limit": 10000, "hash_rounds": 1000, "io_kb": 4})
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual(body["primes_found"], 1229)
        self.assertEqual(body["digest"], "36c1cb4f826ae42ceba848227e0c5f786178ca9dceca6772e5d728d09c30a2f6")
        self.assertEqual((body["prime_limit"], body["hash_rounds"], body["io_kb"]), (10000, 1000, 4))
        for field in ("cpu_time_sec", "io_time_sec", "total_time_sec", "sieve_time_sec", "hash_time_sec"):
            self.assertGreaterEqual(body[field], 0, field)
        self.assertGreaterEqual(body["total_time_sec"], body["cpu_time_sec"])

    def assertBadParameter(self, query, parameter, status=400):
        r = self.client.get("/heavy/cpu-io-no-db/?" + query)
        self.assertEqual(r.status_code, status, query)
        self.assertEqual(r["Content-Type"], "application/problem+json")
        body = r.json()
        self.assertEqual(body["status"], status)
        self.assertEqual(body["parameter"], parameter, query)
        self.assertIn(parameter, body["detail"])

    def test_bad_input_is_a_400_naming_the_parameter(self):
        self.assertBadParameter("prime_limit=abc", "prime_limit")
        self.assertBadParameter("prime_limit=-5", "prime_limit")
        self.assertBadParameter("hash_rounds=", "hash_rounds")
        self.assertBadParameter("hash_rounds=1e6", "hash_rounds")
        self.assertBadParameter("io_kb=%201", "io_kb")
        self.assertBadParameter("io_kb=9999999", "io_kb")
        self.assertBadParameter("io_kb=1234567890123456", "io_kb")
        self.assertBadParameter("prime_limt=5", "prime_limt")
        self.assertBadParameter("io_kb=1&io_kb=2", "io_kb")

    @override_settings(HEAVY_CAPS={"prime_limit": 100, "hash_rounds": 10, "io_kb": 1})
    def test_caps_come_from_settings(self):
        self.assertBadParameter("prime_limit=101", "prime_limit")
        self.assertEqual(
            self.client.get("/heavy/cpu-io-no-db/?prime_limit=100&hash_rounds=10&io_kb=1").status_code, 200
        )

    def test_unknown_path_is_json(self):
        r = self.client.get("/nope")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["status"], 404)

    def test_only_get(self):
        self.assertEqual(self.client.post("/hello").status_code, 405)
