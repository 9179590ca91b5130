"""The hostile corpus (tests/cluster/hostile_inputs.json, ≥ 300 entries) through Rasa's REST channel, the
web front and the backend API of the running cluster: no 5xx, no hang past a bound, every chat reply
in Korean and never an echo of markup or of a resident/card number; the cluster still serves a
customer afterwards."""
from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List

import pytest
import requests

from tests.cluster.make_hostile_corpus import load

CHAT_BOUND, API_BOUND = 30.0, 10.0
HANGUL = re.compile(r"[\uac00-\ud7a3]")
NEVER_ECHOED = ("<script", "onerror=", "850315-1234567", "4111 1111 1111 1111", "900101-2345678")
CORPUS = load()
START = "금융인증서 갱신하고 싶어요"


class Tally:
    def __init__(self) -> None:
        self.results: List[Dict] = []

    def add(self, target: str, entry: Dict, status: int, seconds: float, replies=None) -> None:
        self.results.append({"target": target, "category": entry["category"], "status": status,
                             "seconds": seconds, "replies": replies,
                             "input": (entry.get("message") or entry.get("raw") or "")[:60]})


def _post(session: requests.Session, url: str, entry: Dict, sender: str, bound: float):
    started = time.monotonic()
    if "raw" in entry:
        reply = session.post(url, data=entry["raw"].encode("utf-8", "surrogatepass"),
                             headers={"Content-Type": entry["content_type"]} if entry["content_type"] else {},
                             timeout=bound + 5)
    else:
        reply = session.post(url, json={"sender": sender, "message": entry["message"]}, timeout=bound + 5)
    return reply, time.monotonic() - started


def _chat_target(name: str, base_url: str, tally: Tally, bound: float) -> None:
    """One 'visitor' per category, in parallel: starts a renewal, then types the category's inputs."""
    by_category: Dict[str, List[Dict]] = {}
    for entry in CORPUS:
        by_category.setdefault(entry["category"], []).append(entry)

    def visitor(category: str) -> None:
        session = requests.Session()
        sender = f"hostile-{name}-{category}"
        session.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": START}, timeout=bound)
        for entry in by_category[category]:
            try:
                reply, seconds = _post(session, f"{base_url}/webhooks/rest/webhook", entry, sender, bound)
                body = reply.json() if reply.headers.get("Content-Type", "").startswith("application/json") else None
                texts = [m.get("text") or "" for m in body] if isinstance(body, list) else None
                tally.add(name, entry, reply.status_code, seconds, texts)
            except requests.Timeout:
                tally.add(name, entry, 0, bound + 5)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(visitor, sorted(by_category)))


def _backend_target(stack, tally: Tally) -> None:
    url = f"{stack.backend.url}/v1/verifications"

    def one(entry: Dict) -> None:
        session = requests.Session()
        session.headers.update(stack.backend.headers)
        started = time.monotonic()
        try:
            if "raw" in entry:
                reply, seconds = _post(session, url, entry, "", API_BOUND)
            else:
                text = entry["message"]
                reply = session.post(url, json={"method": "sms", "name": text, "birth_date": text, "phone": text},
                                     timeout=API_BOUND + 5)
                seconds = time.monotonic() - started
                if reply.status_code < 500:   # each field alone, the others valid
                    for field in ("name", "birth_date", "phone"):
                        body = {"method": "sms", "name": "홍길동", "birth_date": "1988-04-12", "phone": "010-7123-9999",
                                field: text}
                        again = session.post(url, json=body, timeout=API_BOUND + 5)
                        if again.status_code >= 500:
                            reply = again
                            break
                    seconds = time.monotonic() - started
            tally.add("backend", entry, reply.status_code, seconds)
        except requests.Timeout:
            tally.add("backend", entry, 0, API_BOUND + 5)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, CORPUS))


@pytest.fixture(scope="module")
def tally(cluster):
    results = Tally()
    started = time.monotonic()
    _chat_target("rest", cluster.rasa_url, results, CHAT_BOUND)
    _chat_target("web", cluster.web_url, results, CHAT_BOUND)
    _backend_target(cluster, results)
    results.wall = time.monotonic() - started
    return results


def test_corpus_is_large_and_varied():
    assert len(CORPUS) >= 300
    assert len({e["category"] for e in CORPUS}) >= 14


def test_no_5xx_and_no_hang(tally, figures):
    server_errors = [r for r in tally.results if r["status"] >= 500 or r["status"] == 0]
    slowest = max(tally.results, key=lambda r: r["seconds"])
    figures("hostile", {"inputs": len(CORPUS), "requests": len(tally.results), "targets": ["rest", "web", "backend"],
                        "5xx_or_no_answer": len(server_errors), "slowest_seconds": round(slowest["seconds"], 2),
                        "slowest_target": slowest["target"], "wall_seconds": round(tally.wall, 1),
                        "status_counts": _counts(tally.results)})
    assert not server_errors, server_errors[:10]
    assert slowest["seconds"] < CHAT_BOUND, slowest


def test_chat_replies_are_korean_and_never_echo_markup_or_numbers(tally):
    answered = [r for r in tally.results if r["target"] in ("rest", "web") and r["status"] == 200
                and r["replies"] is not None]
    assert len(answered) > len(CORPUS)   # most inputs got a chat answer through both doors
    for result in answered:
        for text in result["replies"]:
            assert HANGUL.search(text), result
            assert not any(bad in text for bad in NEVER_ECHOED), result


def test_cluster_still_serves_after_the_corpus(cluster):
    reply = requests.post(f"{cluster.rasa_url}/webhooks/rest/webhook",
                          json={"sender": "after-hostile", "message": "갱신 기간이 언제예요?"}, timeout=CHAT_BOUND)
    assert reply.status_code == 200 and HANGUL.search(reply.json()[0]["text"])


def _counts(results) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for r in results:
        key = f"{r['target']}:{r['status']}"
        counts[key] = counts.get(key, 0) + 1
    return counts
