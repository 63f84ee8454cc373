"""A TCP relay that puts a network between the dashboard and its database.

``LatencyProxy(host, port, rtt=0.030)`` listens on a free loopback port and relays every
connection to ``host:port``, holding each chunk for ``rtt / 2`` in each direction, so a
round trip through it costs ``rtt`` more than on loopback, as it does to a database 30 ms
away. Chunks keep their order and are not throttled: a client that sends several messages
before it waits (psycopg's pipeline mode) pays the delay once, as it would on a real link.

It also counts *round trips*: a client turn is the client sending after it last heard from
the server (or sending first on a new connection). One read that costs N waits for the
server costs N turns, whatever the number of TCP segments.

Used by the benchmarks (figures at 10 and 30 ms measured through the real driver, not
projected) and by the tests that count round trips per read. Runs its own asyncio loop in a
daemon thread, so synchronous code (psycopg, SQLAlchemy, Streamlit's AppTest) can use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator

CHUNK = 65536


class LatencyProxy:
    """Relay to ``host:port`` adding ``rtt`` seconds per round trip; see the module doc."""

    def __init__(self, host: str, port: int, *, rtt: float = 0.0) -> None:
        self.upstream = (host, port)
        self.rtt = rtt
        self.port = 0
        self._turns = 0
        self._connections = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="latency-proxy",
                                        daemon=True)

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> LatencyProxy:
        """Start listening (127.0.0.1, a free port: :attr:`port`)."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self.port = future.result(timeout=10)
        return self

    def close(self) -> None:
        """Stop listening and drop every relayed connection."""
        if not self._thread.is_alive():
            return

        async def stop() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            # Let them end here, so none is destroyed pending when the loop stops.
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- counting ---------------------------------------------------------------------------
    @property
    def round_trips(self) -> int:
        """Client turns since the start or the last :meth:`reset`."""
        with self._lock:
            return self._turns

    @property
    def connections(self) -> int:
        """Connections accepted since the start or the last :meth:`reset`."""
        with self._lock:
            return self._connections

    def reset(self) -> None:
        with self._lock:
            self._turns = 0
            self._connections = 0

    @contextlib.contextmanager
    def counting(self) -> Iterator[dict[str, int]]:
        """``with proxy.counting() as seen:`` then ``seen["round_trips"]`` after the block."""
        seen: dict[str, int] = {}
        self.reset()
        try:
            yield seen
        finally:
            # The last reply may still be on its way out of the relay.
            time.sleep(self.rtt / 2 + 0.01)
            seen["round_trips"] = self.round_trips
            seen["connections"] = self.connections

    # -- relaying ---------------------------------------------------------------------------
    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def _serve(self, client_r: asyncio.StreamReader,
                     client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_w.close()
            return
        with self._lock:
            self._connections += 1
        # True while the server spoke last: the client's next chunk starts a new turn.
        state = {"server_spoke": True}
        pumps = [
            asyncio.create_task(self._pump(client_r, server_w, state, upstream=True)),
            asyncio.create_task(self._pump(server_r, client_w, state, upstream=False)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            # close() with connections still open: end quietly (asyncio's stream callback
            # would print a traceback for a connection task that ends cancelled).
            pass
        finally:
            for task in pumps:
                task.cancel()
            for writer in (client_w, server_w):
                with contextlib.suppress(Exception):
                    writer.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    state: dict[str, bool], *, upstream: bool) -> None:
        # A reader stamps each chunk with its delivery time and a writer delivers it then:
        # the delay is added once per chunk in flight, not once per chunk in sequence.
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        deliver = asyncio.create_task(self._deliver(queue, writer))
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await reader.read(CHUNK)
                if upstream and data and state["server_spoke"]:
                    with self._lock:
                        self._turns += 1
                state["server_spoke"] = not upstream
                await queue.put((loop.time() + self.rtt / 2, data))
                if not data:
                    await deliver
                    return
        finally:
            deliver.cancel()

    @staticmethod
    async def _deliver(queue: asyncio.Queue[tuple[float, bytes]],
                       writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                with contextlib.suppress(Exception):
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()


class ProxyProcess:
    """A :class:`LatencyProxy` in its own process, with the same counting API.

    For measurements: in the measuring process the relay thread would compete for the GIL
    with the code being measured (a thread parsing rows holds it for up to the switch
    interval, 5 ms), which would add delay that a real network does not. Controlled over
    the child's stdin/stdout, one line per command.
    """

    def __init__(self, host: str, port: int, *, rtt: float = 0.0) -> None:
        import subprocess
        import sys

        self.rtt = rtt
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.latency", host, str(port), str(rtt)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent),
        )
        self.port = int(self._ask("port"))

    def _ask(self, command: str) -> str:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(command + "\n")
        self._proc.stdin.flush()
        answer = self._proc.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"latency proxy process gave no answer to {command!r}")
        return answer

    @property
    def round_trips(self) -> int:
        return int(self._ask("round_trips"))

    @property
    def connections(self) -> int:
        return int(self._ask("connections"))

    def reset(self) -> None:
        self._ask("reset")

    counting = LatencyProxy.counting

    def close(self) -> None:
        if self._proc.poll() is None:
            with contextlib.suppress(Exception):
                self._ask("quit")
            try:
                self._proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                self._proc.kill()

    def __enter__(self) -> ProxyProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _child(argv: list[str]) -> int:
    """``python -m bench.latency HOST PORT RTT``: serve, answer commands on stdin."""
    import sys

    host, port, rtt = argv[0], int(argv[1]), float(argv[2])
    with LatencyProxy(host, port, rtt=rtt) as proxy:
        for line in sys.stdin:
            command = line.strip()
            if command == "quit":
                print("bye", flush=True)
                break
            if command == "reset":
                proxy.reset()
                print("ok", flush=True)
            elif command in ("port", "round_trips", "connections"):
                print(getattr(proxy, command), flush=True)
            else:
                print("?", flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(_child(sys.argv[1:]))
