"""A local TCP proxy that holds every chunk of data for a fixed time each way, to stand in for a
school network between a counter and the PostgreSQL server (the benches measure through it).

    proxy = DelayProxy()
    port = proxy.start(target_host="127.0.0.1", target_port=5432, delay_ms=1.0)
    ...  # connect to 127.0.0.1:port instead of the server
    proxy.stop()
    proxy.held_ms()  # how long chunks were really held: (p50, p95), for the bench's report

One thread does all of it with a selector and a heap of what is due when: it reads whatever
arrives on any connection, stamps it with the time it is due (now + delay) and sends it at that
time. A delay, not a bandwidth limit, so a query and its answer take at least 2 x delay_ms more
than without the proxy. One thread rather than two per direction per connection: with a few
dozen threads in one Python process each chunk waited for the others' turns at the interpreter
lock, so under load the proxy held data for several milliseconds, not one, and the benches
measured the proxy instead of the network. ``held_ms`` says how close to the delay it stayed.
Only loopback addresses are meant as targets.
"""

from __future__ import annotations

import heapq
import itertools
import os
import selectors
import socket
import threading
import time

__all__ = ["DelayProxy", "proxied_url", "target_of"]


class DelayProxy:
    def __init__(self) -> None:
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self.connections = 0  # accepted so far
        self.raised = False  # whether the thread got a higher priority than the benches' own
        self._held: list[float] = []  # ms each chunk was really held (sent - read)
        # round trips: a client's data after the server last spoke (or its first) starts one
        self.turns = 0
        self._clients: dict[socket.socket, bool] = {}  # client -> whether the server spoke last

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
        listener.setblocking(False)
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True, name="netdelay")
        self._thread.start()
        return listener.getsockname()[1]

    def stop(self) -> None:
        """Close the listener and every open connection; wait for the thread."""
        if self._listener is None:
            return
        self._stop.set()
        self._wake_w.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._listener = None
        self._thread = None

    def held_ms(self) -> tuple[float, float]:
        """How long chunks were really held, in ms: (p50, p95); (0, 0) before any."""
        held = sorted(self._held)
        if not held:
            return 0.0, 0.0
        return held[len(held) // 2], held[min(len(held) - 1, int(len(held) * 0.95))]

    # --- inside: one thread ------------------------------------------------------------------

    def _run(self) -> None:
        # A network does not wait for a turn on the counters' processors: where allowed (root),
        # this thread runs at a higher priority than the benches' busy processes, so what it
        # adds stays the delay asked for and not the machine's load.
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), -10)
            self.raised = True
        except OSError:
            self.raised = False
        listener = self._listener
        assert listener is not None
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ, None)
        selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        peer: dict[socket.socket, socket.socket] = {}  # each side -> the other
        due: list[tuple[float, int, float, socket.socket, bytes]] = []  # (at, n, read, to, data)
        order = itertools.count()
        try:
            while not self._stop.is_set():
                timeout = max(0.0, due[0][0] - time.perf_counter()) if due else None
                for key, _mask in selector.select(timeout):
                    if key.data == "wake":
                        self._wake_r.recv(64)
                    elif key.fileobj is listener:
                        self._accept(listener, selector, peer)
                    else:
                        source = key.fileobj
                        assert isinstance(source, socket.socket)
                        if source not in peer:
                            continue  # closed with its pair a moment ago
                        try:
                            data = source.recv(65536)
                        except OSError:
                            data = b""
                        now = time.perf_counter()
                        self._count_turn(source, peer, bool(data))
                        if not data:
                            selector.unregister(source)
                        sink = peer.get(source)
                        if sink is not None:
                            heapq.heappush(due, (now + self._delay, next(order), now, sink, data))
                now = time.perf_counter()
                while due and due[0][0] <= now:
                    _at, _n, read, sink, data = heapq.heappop(due)
                    if sink not in peer:
                        continue  # that connection is closed already
                    if not data:  # the other side closed: close both after what came before
                        self._close_pair(sink, selector, peer)
                        continue
                    try:
                        sink.sendall(data)
                    except OSError:
                        self._close_pair(sink, selector, peer)
                        continue
                    self._held.append((time.perf_counter() - read) * 1000)
        finally:
            for sock in list(peer):
                _close(sock)
            selector.close()
            _close(listener)

    def _count_turn(self, source: socket.socket, peer: dict, data: bool) -> None:
        if not data:
            return
        if source in self._clients:
            if self._clients[source]:
                self.turns += 1
                self._clients[source] = False
        else:
            client = peer.get(source)
            if client in self._clients:
                self._clients[client] = True

    def _accept(
        self, listener: socket.socket, selector: selectors.BaseSelector, peer: dict
    ) -> None:
        try:
            client, _address = listener.accept()
        except OSError:
            return
        try:
            server = socket.create_connection(self._target, timeout=5)
        except OSError:
            _close(client)
            return
        for sock in (client, server):
            sock.setblocking(True)  # sends of a few kB to loopback never wait in practice
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            selector.register(sock, selectors.EVENT_READ, None)
        peer[client], peer[server] = server, client
        self._clients[client] = True
        self.connections += 1

    def _close_pair(
        self, sock: socket.socket, selector: selectors.BaseSelector, peer: dict
    ) -> None:
        other = peer.pop(sock, None)
        for each in (sock, other):
            if each is None:
                continue
            peer.pop(each, None)
            self._clients.pop(each, None)
            try:
                selector.unregister(each)
            except (KeyError, ValueError):
                pass
            _close(each)


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
