"""Static checks of the extension: manifest permissions and the names shared with the backend."""

from __future__ import annotations

import json
import re
from pathlib import Path

from backend.constants import KEY_NAMES, ActionKind, ErrorCode, MessageType

EXT = Path(__file__).resolve().parent.parent / "extension"


def _manifest() -> dict:
    return json.loads((EXT / "manifest.json").read_text())


def test_manifest_files_exist() -> None:
    m = _manifest()
    assert m["manifest_version"] == 3
    files = [m["background"]["service_worker"], m["side_panel"]["default_path"], *m["icons"].values()]
    for script in m["content_scripts"]:
        files += script["js"]
    for f in files:
        assert (EXT / f).is_file(), f


def test_permissions_are_minimal() -> None:
    m = _manifest()
    assert set(m["permissions"]) <= {"sidePanel", "storage", "unlimitedStorage", "scripting", "tabs", "activeTab"}
    assert set(m["host_permissions"]) == {"http://*/*", "https://*/*"}
    assert "content_security_policy" not in m  # the MV3 default: no remote or inline code


def test_no_remote_code_or_inner_html() -> None:
    for path in EXT.rglob("*.js"):
        text = path.read_text()
        assert "innerHTML" not in text and "eval(" not in text and "new Function" not in text, path
        assert not re.search(r"""(src|import)\s*[=(]?\s*["']https?://""", text), path
    for path in EXT.rglob("*.html"):
        assert not re.search(r"""src=["']https?://""", path.read_text()), path


def _js_object(name: str) -> dict[str, str]:
    """Key/value pairs of `const NAME = Object.freeze({...})` in shared/messages.js."""
    text = (EXT / "shared" / "messages.js").read_text()
    body = re.search(rf"const {name} = Object\.freeze\(\{{(.*?)\}}\);", text, re.S).group(1)
    return dict(re.findall(r"(\w+):\s*\"([^\"]*)\"", body))


def test_frame_types_match_backend() -> None:
    assert set(_js_object("Frame").values()) == {m.value for m in MessageType}


def test_action_kinds_match_backend() -> None:
    assert set(_js_object("Action").values()) == {a.value for a in ActionKind}


def test_error_codes_all_have_text() -> None:
    assert set(_js_object("ErrorText")) == {c.value for c in ErrorCode}


def test_key_names_match_backend() -> None:
    text = (EXT / "shared" / "messages.js").read_text()
    body = re.search(r"const KEY_NAMES = Object\.freeze\(\[(.*?)\]\);", text, re.S).group(1)
    assert tuple(re.findall(r"\"([^\"]*)\"", body)) == KEY_NAMES


def _js_const(name: str) -> str:
    text = (EXT / "shared" / "messages.js").read_text()
    return re.search(rf"const {name} = (.*?);\n", text, re.S).group(1)


def test_versions_close_codes_and_content_scripts_match_the_backend_and_manifest() -> None:
    from backend.constants import PROTOCOL_VERSION
    from backend.serve.security import CLOSE_BAD_HOST, CLOSE_FORBIDDEN_ORIGIN, CLOSE_TOO_LARGE, CLOSE_UNAUTHORIZED
    from backend.workflows.model import WORKFLOW_VERSION

    assert int(_js_const("PROTOCOL_VERSION")) == PROTOCOL_VERSION
    assert int(_js_const("WORKFLOW_VERSION")) == WORKFLOW_VERSION
    close = dict((k, int(v)) for k, v in re.findall(r"(\w+):\s*(\d+)", _js_const("Close")))
    assert close == {"UNAUTHORIZED": CLOSE_UNAUTHORIZED, "FORBIDDEN_ORIGIN": CLOSE_FORBIDDEN_ORIGIN,
                     "BAD_HOST": CLOSE_BAD_HOST, "TOO_LARGE": CLOSE_TOO_LARGE}
    listed = re.findall(r"\"([^\"]+\.js)\"", _js_const("CONTENT_FILES"))
    assert listed == [name for entry in _manifest()["content_scripts"] for name in entry["js"]]
    for path in EXT.rglob("*.js"):  # the facts live in messages.js only
        if path.name != "messages.js":
            assert not re.search(r"\b(4401|4403|4421)\b|version: 1\b|\"content/main\.js\"", path.read_text()), path
