"""Calls that return in bounded wall time, whatever the thing they wait for does.

A frozen database server (``SIGSTOP``, a hung VM, a pooler that stopped forwarding) keeps
its TCP connections open: the kernel still acknowledges every packet, so neither TCP
keepalive nor ``tcp_user_timeout`` fires, and the server-side ``statement_timeout`` cannot
fire in a process that does not run. A blocked driver call then waits forever.

:func:`call_within` runs the call in a daemon thread and stops *waiting* for it at the
deadline. :class:`SocketCutter` lets the caller then cut the sockets the abandoned call
depends on (``shutdown(2)``), so the driver sees a closed connection, fails, and the thread
ends and gives its pooled connection back as invalid instead of lingering.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Late(Exception):
    """The call did not finish within its deadline; its thread was left behind."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no result within {seconds:g}s")
        self.seconds = seconds


def call_within(fn: Callable[[], T], seconds: float, *, name: str = "kra-bounded") -> T:
    """Run ``fn()`` in a daemon thread and wait at most ``seconds`` for it.

    Returns its value or raises its exception; raises :class:`Late` when the time is up.
    The thread is not stopped (Python cannot stop a thread blocked in C): whoever calls
    this must make sure an abandoned call ends or holds nothing that matters.
    """
    done = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name=name, daemon=True).start()
    # Decided by the event, not by the kind of exception: fn may raise TimeoutError itself.
    if not done.wait(max(0.0, seconds)):
        raise Late(seconds)
    if "error" in box:
        raise box.pop("error")
    return box["value"]


class SocketCutter:
    """The sockets one bounded call is using, and a way to cut them all at once.

    ``attach(fd)`` keeps a duplicate of the descriptor (so a descriptor number the driver
    closes and the system reuses can never be cut by mistake); ``cut()`` shuts the
    sockets down, which wakes any thread blocked reading them; ``release()`` forgets them.
    A socket attached after ``cut()`` is cut at once: the call is already abandoned.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fds: dict[int, int] = {}  # the driver's descriptor -> our duplicate
        self.attached = False
        self.cut_done = False

    def attach(self, fd: int | None) -> None:
        if fd is None or fd < 0:
            return
        with self._lock:
            if fd in self._fds:
                return
            try:
                dup = os.dup(fd)
            except OSError:
                return
            self._fds[fd] = dup
            self.attached = True
            if self.cut_done:
                _shutdown(dup)

    def cut(self) -> None:
        with self._lock:
            self.cut_done = True
            for dup in self._fds.values():
                _shutdown(dup)

    def release(self) -> None:
        with self._lock:
            for dup in self._fds.values():
                with contextlib.suppress(OSError):
                    os.close(dup)
            self._fds.clear()


def _shutdown(fd: int) -> None:
    """Shut the socket behind ``fd`` down for both directions; ``fd`` stays open."""
    try:
        sock = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
