"""Faults on disk: a full disk or an unwritable folder gives a clear error and leaves no partial
file that looks complete (the model-file-truncated-under-a-running-server case is in test_server)."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from backend.errors import ModelFileError
from backend.model.model_files import atomic_write


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_part(tmp_path: Path) -> None:
    final = tmp_path / "out" / "model.gguf"
    final.parent.mkdir()
    final.write_bytes(b"the good old file")
    with pytest.raises(OSError) as failed:
        with atomic_write(final) as tmp:
            tmp.write_bytes(b"half of the new fi")
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert failed.value.errno == errno.ENOSPC
    assert final.read_bytes() == b"the good old file"
    assert [p.name for p in final.parent.iterdir()] == ["model.gguf"]  # no .part left behind


def test_a_write_that_succeeds_replaces_in_one_rename(tmp_path: Path) -> None:
    final = tmp_path / "new" / "file.jsonl"
    with atomic_write(final) as tmp:
        tmp.write_text("complete\n")
        assert not final.exists()  # nothing is visible under the final name until it is whole
    assert final.read_text() == "complete\n" and [p.name for p in final.parent.iterdir()] == ["file.jsonl"]


def test_an_unwritable_model_cache_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    from backend.model.default_model import served_default_model

    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")  # as good as read-only, even for root
    with pytest.raises(ModelFileError, match="SCRIBEAGENT_CACHE_DIR") as refused:
        served_default_model(blocked)
    assert "cannot write the F16 copy" in str(refused.value)


def test_the_cli_reports_an_unwritable_destination_without_a_traceback(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    env = {"SCRIBEAGENT_DATA_DIR": str(tmp_path / "data"), "SCRIBEAGENT_CONFIG_DIR": str(tmp_path / "config"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "backend.cli", "workflows", "export", str(blocked / "out.jsonl")],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("scribeagent: error: ") and "Traceback" not in done.stderr
    assert "no partial output was kept" in done.stderr
