"""The agent desk's settings: desk.yml, each overridable by an environment variable in capitals."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

DESK_FILE = Path(__file__).with_name("desk.yml")
ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=None)
def _defaults() -> Dict[str, Any]:
    return yaml.safe_load(DESK_FILE.read_text(encoding="utf-8"))


def desk_setting(name: str) -> Any:
    default = _defaults()[name]
    raw = os.environ.get(name.upper())
    if raw is None or raw == "":
        return default
    return type(default)(raw) if isinstance(default, (int, float)) else raw


def data_path(env_name: str, default_name: str) -> Path:
    """A file of the desk's: the environment names it, else var/<default_name> in the project."""
    return Path(os.environ.get(env_name) or ROOT / "var" / default_name)
