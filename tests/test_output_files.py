"""Output files (issue 13, sections 3 and 4): only a regular file or an absent path is replaced,
long names work, modes follow the umask (or the replaced file), OS errors are located, exit 2."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli import main
from engine.errors import OutputError, UsageError
from engine.io.outputs import atomic_write


def write(runner: Any, target: Path | str, *extra: str) -> Any:
    """`schema case -o target`: the cheapest command that writes through emit/atomic_write."""
    return runner.invoke(main, ["schema", "case", "-o", str(target), *extra])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def umask() -> Iterator[Any]:
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


def test_symlink_is_not_replaced_even_with_force(runner: Any, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    res = write(runner, link, "--force")
    assert res.exit_code == 2 and "is a symlink; only a regular file is replaced" in res.output
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "keep me"


def test_fifo_is_not_replaced_even_with_force(runner: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    res = write(runner, fifo, "--force")
    assert res.exit_code == 2 and "named pipe" in res.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_device_node_is_not_replaced_even_with_force(runner: Any, tmp_path: Path) -> None:
    node = tmp_path / "null.json"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private /dev/null
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    res = write(runner, node, "--force")
    assert res.exit_code == 2 and "is a device" in res.output
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "gone.json"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(UsageError):
        atomic_write(link, "x", force=True)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("length", [245, 250, 255])
def test_long_output_names_work(runner: Any, tmp_path: Path, length: int) -> None:
    target = tmp_path / ("r" * (length - 5) + ".json")
    res = write(runner, target)
    assert res.exit_code == 0, res.output
    assert target.read_text(encoding="utf-8").startswith("{") and leftovers(tmp_path) == []


def test_name_longer_than_the_file_system_allows_is_a_located_error(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / ("r" * 300 + ".json")
    res = write(runner, target)
    assert res.exit_code == 2 and "internal error" not in res.output
    assert "File name too long (ENAMETOOLONG)" in res.output and leftovers(tmp_path) == []


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_outputs_follow_the_umask(tmp_path: Path, umask: Any, mask: int, mode: int) -> None:
    umask(mask)
    target = atomic_write(tmp_path / "report.md", "# hi\n")
    assert stat.S_IMODE(os.stat(target).st_mode) == mode


def test_replaced_file_keeps_its_mode(tmp_path: Path, umask: Any) -> None:
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    atomic_write(target, "new", force=True)
    assert target.read_text(encoding="utf-8") == "new" and stat.S_IMODE(os.stat(target).st_mode) == 0o640


def _failing(monkeypatch: Any, name: str, code: int) -> None:
    real = getattr(os, name)

    def fail(*args: Any, **kw: Any) -> Any:
        if any(".isp-" in str(a) for a in args):
            raise OSError(code, os.strerror(code), str(args[0]))
        return real(*args, **kw)

    monkeypatch.setattr(os, name, fail)


@pytest.mark.parametrize(
    "call,code,words",
    [
        ("replace", errno.ENOSPC, "No space left on device (ENOSPC)"),
        ("open", errno.EACCES, "Permission denied (EACCES)"),
        ("open", errno.EROFS, "Read-only file system (EROFS)"),
    ],
)
def test_os_errors_on_output_are_located(
    runner: Any, tmp_path: Path, monkeypatch: Any, call: str, code: int, words: str
) -> None:
    target = tmp_path / "schema.json"
    _failing(monkeypatch, call, code)
    res = write(runner, target)
    assert res.exit_code == 2, res.output
    assert res.output.strip() == f"error: {target}: cannot write: {words}"
    assert not target.exists() and leftovers(tmp_path) == []


def test_full_disk_while_writing_leaves_the_old_file(tmp_path: Path, monkeypatch: Any) -> None:
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError) as err:
        atomic_write(target, "new", force=True)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert err.value.problems[0].file == str(target) and "ENOSPC" in err.value.problems[0].message
    assert target.read_text(encoding="utf-8") == "old" and leftovers(tmp_path) == []
