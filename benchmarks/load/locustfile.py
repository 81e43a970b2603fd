"""The load scenario of ``benchmarks/bench_load.py``: people browsing foods, editing their
diaries, reading their day's totals and submitting ten-year outlooks.

Each simulated user makes a diary of its own, then picks tasks by weight with a short think
time. Simulations use a few scenarios only, so most submissions reuse a stored run (as
people asking the same question do); the rest queue behind the bounded pool.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from locust import HttpUser, between, task

FOODS = ("natto", "gouda", "kale", "egg yolk", "sauerkraut", "chicken liver", "spinach")
SUPPLEMENTS = ("MK-7 90 ug daily", "MK-7 180 ug daily", "MK-4 1.5 mg daily")
_ids = itertools.count(1)


class DiaryUser(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.n = next(_ids)
        self.rng = random.Random(self.n)
        r = self.client.post("/api/v1/diaries", json={"name": f"load user {self.n}"},
                             name="POST /api/v1/diaries")  # fmt: skip
        self.diary = int(r.json()["id"])
        self.writes = 0

    def _date(self) -> str:
        # A new day every 100 writes keeps each day under the store's 200 entries.
        return str(dt.date(2026, 1, 1) + dt.timedelta(days=self.writes // 100))

    @task(4)
    def search_foods_api(self) -> None:
        q = self.rng.choice(FOODS)
        self.client.get(f"/api/v1/foods?q={q}&limit=10", name="GET /api/v1/foods?q=")

    @task(2)
    def search_foods_page(self) -> None:
        q = self.rng.choice(FOODS)
        self.client.get(f"/foods?q={q}", name="GET /foods?q=")

    @task(2)
    def food_api(self) -> None:
        self.client.get("/api/v1/foods/natto", name="GET /api/v1/foods/{key}")

    @task(3)
    def add_entry(self) -> None:
        self.writes += 1
        self.client.post(
            f"/api/v1/diaries/{self.diary}/days/{self._date()}/entries",
            json={"food": self.rng.choice(FOODS), "amount": f"{self.rng.randint(5, 80)} g"},
            name="POST /api/v1/diaries/{id}/days/{date}/entries",
        )

    @task(3)
    def read_day_totals(self) -> None:
        self.client.get(f"/api/v1/diaries/{self.diary}/days/{self._date()}",
                        name="GET /api/v1/diaries/{id}/days/{date}")  # fmt: skip

    @task(2)
    def day_page(self) -> None:
        self.client.get(f"/diary/{self._date()}?diary={self.diary}", name="GET /diary/{date}")

    @task(2)
    def report_page(self) -> None:
        self.client.get(f"/report?diary={self.diary}", name="GET /report")

    @task(2)
    def report_api(self) -> None:
        # 422 while the user's diary has no entry yet: an expected answer, not a failure
        with self.client.get(f"/api/v1/diaries/{self.diary}/report",
                             name="GET /api/v1/diaries/{id}/report", catch_response=True) as r:  # fmt: skip
            if r.status_code in (200, 422):
                r.success()

    @task(1)
    def submit_outlook(self) -> None:
        body = {"supplements": [self.rng.choice(SUPPLEMENTS)], "years": 10}
        with self.client.post("/api/v1/simulations", json=body, name="POST /api/v1/simulations",
                              catch_response=True) as r:  # fmt: skip
            if r.status_code in (200, 201, 202):
                r.success()
                run = r.json()["id"]
                self.client.get(f"/api/v1/simulations/{run}", name="GET /api/v1/simulations/{id}")
