"""The guarded REST channel's input checks (channels/rest.py), without a running Rasa."""
import pytest
from sanic import Sanic
from sanic.request import Request

from channels.rest import MAX_MESSAGE, is_blank, read_body


def _request(body: bytes, content_type: str = "application/json") -> Request:
    app = Sanic.get_app("rest-channel-test", force_create=True)
    request = Request(b"/webhooks/rest/webhook", {"content-type": content_type}, "1.1", "POST", None, app)
    request.body = body
    return request


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b'"x"', b"123", b'{"sender": 1, "message": "a"}',
                                  b'{"message": "a"}', b'{"sender": "x"}', b'{"sender": "", "message": "a"}',
                                  b'{"sender": "x", "message": 2}', b'{"sender": "x", "message": "\\ud800"}',
                                  b'{"sender": "' + b"s" * 129 + b'", "message": "a"}',
                                  b"[" * 5000 + b"]" * 5000])
def test_malformed_bodies_are_refused(body):
    assert read_body(_request(body)) is None


def test_a_well_formed_body_passes():
    assert read_body(_request('{"sender": "s1", "message": "갱신해 주세요"}'.encode()))["message"] == "갱신해 주세요"
    assert read_body(_request(('{"sender": "s", "message": "' + "가" * MAX_MESSAGE + '"}').encode())) is not None
    assert read_body(_request(('{"sender": "s", "message": "' + "가" * (MAX_MESSAGE + 1) + '"}').encode())) is None


@pytest.mark.parametrize("text", ["", " ", "\t\n", "\u3000\u3000", "\u200b", "\ufeff", "\u2060\u200d", "\u3164",
                                  " \u00a0 "])
def test_blank_messages(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["ㅋ", "갱신", "😀", "<b>", "0", "مرحبا"])
def test_visible_messages_are_not_blank(text):
    assert not is_blank(text)
