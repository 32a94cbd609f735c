"""The backend's built-in extension id must be the id Chrome derives from the manifest `key`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.extension_id import EXTENSION_ID, extension_id_from_key

MANIFEST = Path(__file__).resolve().parent.parent / "extension" / "manifest.json"


def test_extension_id_matches_manifest_key() -> None:
    key = json.loads(MANIFEST.read_text())["key"]
    assert extension_id_from_key(key) == EXTENSION_ID


def test_id_alphabet_is_chromes() -> None:
    assert len(EXTENSION_ID) == 32 and set(EXTENSION_ID) <= set("abcdefghijklmnop")


def test_bad_key_is_rejected() -> None:
    with pytest.raises(ValueError):
        extension_id_from_key("not base64!")


def test_no_private_key_in_the_extension() -> None:
    root = MANIFEST.parent
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in {".pem", ".key", ".js", ".json", ".html"}:
            assert "PRIVATE KEY" not in path.read_text(errors="replace"), path
