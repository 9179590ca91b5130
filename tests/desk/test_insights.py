"""Insights and the review inbox over conversations stored by Rasa's SQLTrackerStore (SQLite) behind
the redacting store: the figures, the funnel, and that no secret or full name ever shows."""
import json
import subprocess
import sys

import pytest
import yaml

from agentdesk import insights, review
from agentdesk.conversation_store import load_conversations, open_conversations
from agentdesk.db import open_engine
from tests.desk import scenarios as sc
from tests.desk.conversations import now, save
from tests.training_data import ROOT

DAY = 86400


@pytest.fixture
def store(tmp_path):
    start = now() - 2 * DAY
    url = save(tmp_path / "conversations.sqlite3", [
        sc.renewal("a" * 32, start, finish=True),
        sc.renewal("b" * 32, start + DAY, finish=False),
        sc.confused("c" * 32, start + DAY + 100),
        sc.handoff("d" * 32, start + DAY + 200),
    ])
    return url


def test_figures_funnel_and_rates(store):
    report = insights.compute(load_conversations(open_conversations(store)))
    assert report["conversations"] == 4
    assert [d["count"] for d in report["per_day"]] == [1, 3]
    faq = {f["key"]: f["count"] for f in report["faq_top"]}
    # Typed questions and FAQ buttons both count as asked.
    assert faq == {"renew_period": 1, "renew_how": 1, "storage": 1, "copy_how": 1, "validity": 1}
    # Typed, outside steps and outside the agent's part: 2 fallbacks among the bot-side messages.
    assert report["fallback_count"] == 2
    assert report["typed_messages"] == 2 * 1 + 5 + 2  # 2 renewal starts, 5 confused texts, 2 handoff texts
    assert report["handoff_queued"] == 1 and report["handoff_rate"] == 0.25
    renew = next(f for f in report["funnels"] if f["task"] == "renew_certificate")
    counts = {s["stage"]: s["count"] for s in renew["stages"]}
    assert counts == {"시작": 2, "1/4 본인 확인": 2, "2/4 인증서 확인": 2, "3/4 갱신 확인": 2, "4/4 비밀번호 입력": 1, "완료": 1}
    # abandoned at the confirmation: it never reached the PIN step
    assert next(s for s in renew["stages"] if s["stage"] == "4/4 비밀번호 입력")["dropped"] == 1
    # Turns after the task started: name, birth date, phone, code (+ yes and the PIN when finished).
    assert renew["avg_turns"] == (6 + 4) / 2


def test_insights_never_show_secrets_or_full_names(store):
    report = insights.compute(load_conversations(open_conversations(store)))
    dumped = json.dumps(report, ensure_ascii=False) + insights.render_text(report)
    for secret in (sc.NAME, sc.PHONE, sc.BIRTH, sc.PIN, sc.CODE, "vt-live-token", "1111-2222"):
        assert secret not in dumped
    assert any("010-****-2222" in m["text"] for m in report["fallback_messages"])


def test_make_insights_prints_the_tables(store, tmp_path):
    out = subprocess.run([sys.executable, "-m", "agentdesk.insights", "--url", store], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert "대화 수: 4" in out.stdout
    assert "과제 '갱신' (renew_certificate)" in out.stdout and "4/4 비밀번호 입력" in out.stdout
    assert "= 22.2 %" in out.stdout  # fallback 2 / 9
    assert sc.NAME not in out.stdout and sc.PIN not in out.stdout


def test_review_inbox_finds_unsure_and_wrong_messages(store):
    items = review.inbox(load_conversations(open_conversations(store)), set())
    by_text = {i["text"]: i for i in items}
    unsure = by_text["블라블라 쿵짝"]
    assert set(unsure["reasons"]) == {"fallback", "suggestion"}
    assert unsure["predicted"] == "faq/renew_how" and unsure["suggested"] == "faq/renew_how"
    assert by_text["인증서 옮기기"]["reasons"] == ["correction"]
    assert by_text["인증서 옮기기"]["predicted"] == "faq/storage"
    assert "제 번호 010-****-2222인데 왜 안돼요" in by_text
    # Step answers (name, birth date, codes) and what the customer told the agent are never offered.
    assert not any(sc.NAME in t or sc.BIRTH in t or "쿵짝 블라" == t for t in by_text)
    assert review.inbox(load_conversations(open_conversations(store)), {unsure["key"]}) == \
        [i for i in items if i["key"] != unsure["key"]]


def test_export_reviewed_writes_rasa_nlu_yaml_outside_training(store, tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTDESK_DB", str(tmp_path / "desk.sqlite3"))
    desk = open_engine()
    items = {i["text"]: i for i in review.inbox(load_conversations(open_conversations(store)), set())}
    review.save_label(desk, items["블라블라 쿵짝"], review.DISCARD, "analyst1")
    review.save_label(desk, items["인증서 옮기기"], "faq/copy_how", "analyst1")
    review.save_label(desk, items["제 번호 010-****-2222인데 왜 안돼요"], "out_of_scope", "analyst1")
    out = tmp_path / "review" / "nlu-reviewed.yml"
    # The analyst's masked phone number is not a training example: only clean text is exported.
    assert review.export(desk, out) == 1
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "faq/copy_how", "examples": "- 인증서 옮기기\n"}]
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    parsed = RasaYAMLReader().reads(out.read_text(encoding="utf-8"))
    assert [(m.get("text"), m.get("intent_response_key") or m.get("intent")) for m in parsed.training_examples] \
        == [("인증서 옮기기", "faq/copy_how")]
    for forbidden in (ROOT / "data" / "nlu" / "reviewed.yml", ROOT / "tests" / "nlu_heldout.yml"):
        with pytest.raises(SystemExit):
            review.export(desk, forbidden)
