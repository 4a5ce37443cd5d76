"""A local TCP proxy that holds every chunk of data for a fixed time each way, to stand in for a
school network between a counter and the PostgreSQL server (the benches measure through it).

    proxy = DelayProxy()
    port = proxy.start(target_host="127.0.0.1", target_port=5432, delay_ms=1.0)
    ...  # connect to 127.0.0.1:port instead of the server
    proxy.stop()

Each direction of each connection has a reader thread, which stamps what it reads with the time
it is due, and a sender thread, which sends it at that time: a delay, not a bandwidth limit, so
a query and its answer take at least 2 x delay_ms more than without the proxy. Only loopback
addresses are meant as targets.
"""

from __future__ import annotations

import queue
import socket
import threading
import time

__all__ = ["DelayProxy", "proxied_url", "target_of"]


class DelayProxy:
    def __init__(self) -> None:
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.connections = 0  # accepted so far

    def start(
        self,
        listen_port: int = 0,
        target_host: str = "127.0.0.1",
        target_port: int = 5432,
        delay_ms: float = 1.0,
        listen_host: str = "127.0.0.1",
    ) -> int:
        """Listen on ``listen_port`` (0: a free one) and forward to the target; returns the port."""
        if self._listener is not None:
            raise RuntimeError("the proxy is already running")
        self._target = (target_host, target_port)
        self._delay = delay_ms / 1000.0
        listener = socket.create_server((listen_host, listen_port))
        self._listener = listener
        self._spawn(self._accept, listener)
        return listener.getsockname()[1]

    def stop(self) -> None:
        """Close the listener and every open connection; wait for the threads."""
        listener, self._listener = self._listener, None
        if listener is None:
            return
        _close(listener)
        with self._lock:
            sockets, self._sockets = set(self._sockets), set()
        for sock in sockets:
            _close(sock)
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []

    # --- inside --------------------------------------------------------------------------------

    def _spawn(self, fn, *args) -> None:  # noqa: ANN001
        thread = threading.Thread(target=fn, args=args, daemon=True, name="netdelay")
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # closed by stop()
            try:
                server = socket.create_connection(self._target, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._listener is None:
                    _close(client)
                    _close(server)
                    return
                self._sockets |= {client, server}
                self.connections += 1
            self._pipe(client, server)
            self._pipe(server, client)

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        due: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()

        def read() -> None:
            while True:
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                due.put((time.perf_counter() + self._delay, data))
                if not data:
                    return

        def send() -> None:
            while True:
                at, data = due.get()
                wait = at - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                if not data:
                    break  # the other side closed: close both once what came before is sent
                try:
                    sink.sendall(data)
                except OSError:
                    break
            for sock in (source, sink):
                with self._lock:
                    self._sockets.discard(sock)
                _close(sock)

        self._spawn(read)
        self._spawn(send)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def proxied_url(url: str, port: int, host: str = "127.0.0.1") -> str:
    """``url`` (a SQLAlchemy URL of a server) pointed at the proxy's ``port`` instead."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(host=host, port=port).render_as_string(hide_password=False)


def target_of(url: str) -> tuple[str, int]:
    """The host and port a server URL names (PostgreSQL's defaults when it names none)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432
