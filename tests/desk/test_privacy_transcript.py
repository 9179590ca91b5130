"""What an agent sees of a conversation: masked secrets, masked identity, no token."""
import time

from agentdesk.privacy import mask_name, mask_personal
from agentdesk.transcript import read_events, verified_state
from tests.desk import scenarios as sc


def test_names_are_masked_like_bank_screens():
    assert [mask_name(n) for n in ("김민준", "이서", "남궁민수", "")] == ["김*준", "이*", "남**수", ""]


def test_personal_numbers_are_masked():
    text = mask_personal("김민준 010-1111-2222 19850315 850315-1234567", ["김민준"])
    assert text == "김*준 010-****-2222 ●●●● ●●●●●●"


def test_transcript_masks_every_step_answer_and_the_name_in_bot_texts():
    conv = read_events(sc.renewal("x" * 32, time.time() - 100, finish=True).events)
    user_texts = [t.text for t in conv.turns if t.kind == "user"]
    assert user_texts[:3] == ["인증서 갱신해 주세요", "김*준", "●●●●-●●-●●"]
    # The phone shows masked (the store may already have masked its digits whole).
    assert user_texts[3] in ("010-****-2222", "●●●●●●")
    assert user_texts[4:] == ["●●●●●●", "네", "●●●●●●"]  # code, yes, PIN
    dumped = repr([t.as_dict() for t in conv.turns])
    for secret in (sc.NAME, sc.BIRTH, sc.PHONE, sc.PIN, sc.CODE):
        assert secret not in dumped
    assert "김*준님, 본인 확인이 끝났어요." in [t.text for t in conv.turns if t.kind == "bot"]


def test_desk_messages_are_told_apart_from_the_bot():
    conv = read_events(sc.handoff("y" * 32, time.time() - 100).events)
    kinds = [(t.kind, t.agent_name) for t in conv.turns if t.kind in ("agent", "system")]
    assert kinds == [("system", None), ("agent", "한지수"), ("system", None)]
    assert [t.text for t in conv.turns if t.button] == ["상담원 연결"]  # the button's title, not its payload


def test_verified_state_shows_the_masked_name_never_the_token():
    slots = {"verification_token": "vt-live", "token_expires_at": time.time() + 300, "customer_name": "김민준",
             "masked_phone": "010-****-2222", "task": "renew_certificate", "cert_state": "active"}
    state = verified_state(slots)
    assert state == {"verified": True, "name": "김*준", "phone": "010-****-2222", "cert_state": "active",
                     "task": "renew_certificate"}
    expired = verified_state({**slots, "token_expires_at": time.time() - 1})
    assert expired == {"verified": False, "task": "renew_certificate"}
