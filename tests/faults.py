"""Real faults for the tests and the soak: a tiny file system that fills up or turns read-only."""
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path


class CannotMount(Exception):
    """This machine won't let us mount a tmpfs (not root, or no CAP_SYS_ADMIN in a container)."""


def run(*command: str) -> subprocess.CompletedProcess:
    """Run a system command, capturing its output."""
    return subprocess.run(command, capture_output=True, text=True)


@contextmanager
def small_disk(path: Path, size: str = "4m"):
    """Mount a tmpfs of `size` at path for the duration; raise CannotMount if not permitted."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    if mounted.returncode:
        raise CannotMount(f"mount -t tmpfs failed: {mounted.stderr.strip() or mounted.returncode}")
    try:
        yield path
    finally:
        # Lazy: a server that still holds the file open must not keep the mount (and the test) hanging.
        run("umount", "-l", str(path))


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte with a filler file; return it (delete it to free the space)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        chunk = b"\0" * 65536
        while True:
            try:
                out.write(chunk)
            except OSError:
                if len(chunk) == 1:
                    break
                chunk = chunk[: len(chunk) // 2]
    return filler


def remount(disk: Path, mode: str, timeout: float = 10) -> None:
    """Remount the disk "ro" or "rw", retrying while a writer still has a file open (EBUSY)."""
    deadline = time.monotonic() + timeout
    while True:
        done = run("mount", "-o", f"remount,{mode}", str(disk))
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"remount,{mode} failed: {done.stderr.strip()}")
        time.sleep(0.05)


def free_space(disk: Path) -> int:
    """Return the bytes free on the disk."""
    stat = os.statvfs(disk)
    return stat.f_bavail * stat.f_frsize
