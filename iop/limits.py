"""Run one piece of untrusted-input work (parsing an upload, laying out a PDF) in a child
process with a time and a memory limit.

A hostile or merely huge input must never hold a web or worker process: the child is
forked, given an address-space budget above what it inherited (so the limit is the work's
own, not the size of the Python process) and a CPU limit, and killed by the parent when the
wall-clock time runs out. The child never touches the database; it reads and writes files
or returns bytes through a pipe.
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import signal
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

MiB = 1024 * 1024


class LimitExceeded(Exception):
    """The work ran out of time or memory and was stopped. `kind` is "time" or "memory"."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class ChildFailed(Exception):
    """The work raised in the child; `kind` is the exception's class name, `payload` its
    first argument when that is plain data (a message code and its parameters)."""

    def __init__(self, kind: str, payload: Any = None):
        super().__init__(kind)
        self.kind = kind
        self.payload = payload


def _virtual_size() -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _out_of_memory(exc: BaseException, start: int, memory: int) -> bool:
    """Whether a failure came from the memory ceiling. Under RLIMIT_AS an allocation in C
    (zlib, the XML parser) fails with its own error rather than MemoryError, so a failure
    while the process holds more than half its budget counts as one too."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MemoryError):
            return True
        seen = seen.__cause__ or seen.__context__
    return memory > 0 and _virtual_size() >= start + memory // 2


def _child(
    send: Connection, func: Callable[..., Any], args: tuple, seconds: float, memory: int
) -> None:
    # The child inherits the whole heap of a Django process. Left to itself, the garbage
    # collector's first full pass walks every inherited object, writing to each one's header
    # (so the kernel copies each page) although none of it is the work's garbage: that was
    # a third of a PDF's CPU time. Frozen, the collector sees only what the work allocates.
    gc.freeze()
    start = _virtual_size()
    try:
        budget = start + memory
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
        cpu = int(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        result = func(*args)
    except MemoryError:
        send.send(("memory", None))
    except BaseException as exc:  # noqa: BLE001 - everything is reported to the parent
        if _out_of_memory(exc, start, memory):
            send.send(("memory", None))
            return
        payload = exc.args[0] if exc.args and isinstance(exc.args[0], str | tuple) else None
        try:
            send.send(("error", (type(exc).__name__, payload, traceback.format_exc(limit=3))))
        except Exception:  # noqa: BLE001
            send.send(("error", (type(exc).__name__, None, "")))
    else:
        send.send(("ok", result))
    finally:
        send.close()


def run_limited(func: Callable[..., Any], *args: Any, seconds: float, memory: int) -> Any:
    """`func(*args)` in a forked child; its return value (picklable), or an exception:
    LimitExceeded when over `seconds` (wall clock) or `memory` bytes, ChildFailed when it
    raised."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, func, args, seconds, memory))
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise LimitExceeded("time")
        try:
            status, value = receive.recv()
        except EOFError as exc:
            # Killed without a word: the CPU limit (SIGXCPU) or the kernel's OOM killer.
            process.join(5)
            cpu = process.exitcode == -signal.SIGXCPU
            raise LimitExceeded("time" if cpu else "memory") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receive.close()
    if status == "memory":
        raise LimitExceeded("memory")
    if status == "error":
        kind, payload, _trace = value
        raise ChildFailed(kind, payload)
    return value
