"""nginx refuses a body the app behind it would refuse: Sanic answers an oversized body 413 and closes the
connection without a `Connection: close`, so nginx reused a dead keep-alive connection and the next POST got
a 502 (the cluster's hostile-input test saw one, 2 December). The per-server limits in the template must
equal the apps' own."""
import re
from pathlib import Path

from actionserver.app import MAX_BODY_BYTES as ACTIONS_MAX
from certbackend.api import MAX_BODY_BYTES as BACKEND_MAX

TEMPLATE = Path(__file__).resolve().parents[1] / "cluster" / "nginx.conf.template"
UNITS = {"": 1, "k": 1024, "m": 1024 * 1024}


def _server_limit(listen_name: str) -> int:
    text = TEMPLATE.read_text(encoding="utf-8")
    block = text[text.index("{{" + listen_name + "}}"):]
    block = block[:block.index("location")]
    number, unit = re.search(r"client_max_body_size (\d+)([km]?);", block).groups()
    return int(number) * UNITS[unit]


def test_backend_block_refuses_what_the_backend_refuses():
    assert _server_limit("listen_backend") == BACKEND_MAX


def test_action_server_block_refuses_what_the_action_server_refuses():
    assert _server_limit("listen_actions") == ACTIONS_MAX
