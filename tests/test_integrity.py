"""Pack lock files: what they pin, and that a tampered pack never runs a line of its scripts."""

import shutil

import pytest

from policyhub.domain.errors import PackLoadError
from policyhub.packs.integrity import PackLock
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry
from tests.conftest import DEMO_PACK

# A rule script that leaves a mark when it is imported.
MARKER_SCRIPT = """
from pathlib import Path
Path(__file__).with_name("imported.marker").write_text("ran")
"""


@pytest.fixture
def pack_dir(tmp_path):
    directory = tmp_path / "demo_2020"
    shutil.copytree(DEMO_PACK, directory)
    return directory


@pytest.fixture
def lock(pack_dir, tmp_path):
    path = tmp_path / "policyhub.lock"
    PackLock.of([("demo_2020@1.0.0", pack_dir)]).write(path)
    return PackLock.read(path)


def test_an_untouched_pack_matches_its_lock_and_loads(pack_dir, lock):
    assert lock.check("demo_2020@1.0.0", pack_dir) == []
    load_pack(pack_dir, lock).close()


def test_bytecode_caches_do_not_count_as_pack_content(pack_dir, lock):
    load_pack(pack_dir).close()  # importing the scripts may write __pycache__
    (pack_dir / "rules" / "__pycache__").mkdir(exist_ok=True)
    (pack_dir / "rules" / "__pycache__" / "all.cpython-311.pyc").write_bytes(b"\0")
    assert lock.check("demo_2020@1.0.0", pack_dir) == []


def test_changed_missing_and_added_files_are_each_named(pack_dir, lock):
    (pack_dir / "thresholds.yaml").write_text("copies: 5\n", encoding="utf-8")
    (pack_dir / "rules" / "extra.py").write_text("x = 1\n", encoding="utf-8")
    (pack_dir / "pack.yaml").rename(pack_dir / "pack.yml")
    findings = lock.check("demo_2020@1.0.0", pack_dir)
    assert "thresholds.yaml: changed since locked" in findings
    assert "rules/extra.py: not in the lock" in findings
    assert "pack.yaml: missing (locked)" in findings


def test_a_tampered_pack_is_refused_before_any_script_runs(pack_dir, lock):
    (pack_dir / "rules" / "all.py").write_text(
        (pack_dir / "rules" / "all.py").read_text("utf-8") + MARKER_SCRIPT, encoding="utf-8"
    )
    with pytest.raises(PackLoadError) as refused:
        load_pack(pack_dir, lock)
    assert refused.value.findings == ["integrity: rules/all.py: changed since locked"]
    assert not (pack_dir / "rules" / "imported.marker").exists()
    load_pack(pack_dir).close()  # without the lock the same script runs: the marker proves it
    assert (pack_dir / "rules" / "imported.marker").exists()


def test_a_pack_missing_from_the_lock_is_refused(pack_dir, tmp_path):
    path = tmp_path / "other.lock"
    PackLock({}).write(path)
    with pytest.raises(PackLoadError, match="demo_2020@1.0.0 is not in the lock file"):
        load_pack(pack_dir, PackLock.read(path))


def test_the_registry_serves_the_others_when_one_pack_is_tampered(pack_dir, lock):
    (pack_dir / "thresholds.yaml").write_text("copies: 5\n", encoding="utf-8")
    assert PackRegistry.discover([pack_dir], installed=False, lock=lock).packs() == []
    with pytest.raises(PackLoadError, match="integrity"):
        PackRegistry.discover([pack_dir], installed=False, lock=lock, strict=True)


def test_a_strict_load_refuses_a_set_missing_a_locked_pack(pack_dir, tmp_path):
    path = tmp_path / "two.lock"
    PackLock.of([("demo_2020@1.0.0", pack_dir), ("gone_2020@1.0.0", pack_dir)]).write(path)
    lock = PackLock.read(path)
    assert [p.ref for p in PackRegistry.discover([pack_dir], installed=False, lock=lock).packs()] == ["demo_2020@1.0.0"]
    with pytest.raises(PackLoadError) as refused:
        PackRegistry.discover([pack_dir], installed=False, lock=lock, strict=True)
    assert refused.value.findings == ["gone_2020@1.0.0: locked, but not loaded"]


@pytest.mark.parametrize("content", ["", "{", '{"lock_version": 2, "packs": {}}', '{"lock_version": 1, "packs": {"a@1.0.0": 3}}'])
def test_a_malformed_lock_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.lock"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="lock file"):
        PackLock.read(path)
