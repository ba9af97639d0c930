"""Locks that keep two ``kpss`` processes from writing the same outputs or processed data at once, and the
folder swap that lets a reader see either the old or the new folder, never a half-written one.

Lock files are hidden siblings of what they protect (``<outputs>/.<code>-<slug>.lock``,
``<outputs>/.index.lock``, ``<data>/.processed.lock``); the operating system releases a lock when
its process ends, also when it is killed, so a lock file left on disk never blocks anybody.
Leftovers of killed runs (staging folders) are removed only under the lock of what they belong
to, so a live run's staging folder is never touched.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from kpss_analysis.errors import BusyError

#: Seconds a run waits for another run to finish writing the shared index and run summary.
INDEX_WAIT_SECONDS = 120


def lock_path(target: Path) -> Path:
    """The lock file of ``target`` (a folder or file): ``.<name>.lock`` beside it."""
    return target.with_name(f".{target.name}.lock")


def try_lock(target: Path) -> FileLock | None:
    """The lock of ``target``, acquired without waiting, or None when another process holds it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(target), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return None
    return lock


@contextlib.contextmanager
def exclusive(targets: Iterable[Path], what: str) -> Iterator[None]:
    """Hold the locks of all ``targets`` (without waiting) or raise :class:`BusyError` naming them.

    Parameters
    ----------
    targets
        Folders or files this process is about to write.
    what
        Says in the message what the other process is doing, e.g. ``"kpss run"``.
    """
    held: list[FileLock] = []
    busy: list[Path] = []
    try:
        for target in dict.fromkeys(targets):
            lock = try_lock(target)
            if lock is None:
                busy.append(target)
            else:
                held.append(lock)
        if busy:
            names = ", ".join(str(t) for t in busy[:5]) + (f" and {len(busy) - 5} more" if len(busy) > 5 else "")
            raise BusyError(f"Another {what} is writing {names} right now. Wait until it has finished "
                            "(or stop it), then run this again.")
        yield
    finally:
        for lock in held:
            lock.release()


@contextlib.contextmanager
def waiting(target: Path, what: str, seconds: float = INDEX_WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock of ``target``, waiting up to ``seconds`` for another process to release it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(target), timeout=seconds)
    try:
        lock.acquire()
    except Timeout:
        raise BusyError(f"Another {what} has been writing {target} for over {seconds:.0f} s. "
                        "Wait until it has finished, then run this again.") from None
    try:
        yield
    finally:
        lock.release()


def leftovers(target: Path) -> list[Path]:
    """Hidden staging folders of ``target`` that a run or build left behind (``.<name>.*``)."""
    if not target.parent.is_dir():
        return []
    return [p for p in target.parent.glob(f".{target.name}.*") if p.is_dir()]


def remove_leftovers(target: Path) -> list[Path]:
    """Remove the leftovers of ``target``; call only while holding its lock. Returns what was removed."""
    found = leftovers(target)
    for folder in found:
        shutil.rmtree(folder, ignore_errors=True)
    return found


def clean_stale(parent: Path) -> list[Path]:
    """Remove leftovers of killed runs in ``parent`` whose owner is not running (its lock is free)."""
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    owners = {p.name[1:].split(".", 1)[0] for p in parent.glob(".*.*") if p.is_dir()}
    for name in sorted(owners):
        lock = try_lock(parent / name)
        if lock is None:
            continue  # a live run: its staging folder is in use
        try:
            removed += remove_leftovers(parent / name)
        finally:
            lock.release()
    return removed


def replace_folder(staging: Path, final: Path) -> None:
    """Put the complete folder ``staging`` in place of ``final`` with two renames; the old one is removed last.

    If the second rename fails, the old folder is put back, so ``final`` is always either the old or the new one.
    """
    old = staging.with_name(staging.name.removesuffix(".partial") + ".old")
    if final.exists():
        final.rename(old)
    try:
        staging.rename(final)
    except BaseException:
        if old.exists():
            old.rename(final)
        raise
    shutil.rmtree(old, ignore_errors=True)
