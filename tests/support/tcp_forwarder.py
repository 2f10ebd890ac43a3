"""A TCP forwarder on a free loopback port, to cut a process off its database and give it
back without touching the database server (other tests use the same server meanwhile).

``cut()`` resets every relayed connection and refuses new ones (accepted, then reset at
once, as a server that is down looks to a client); ``restore()`` relays again.
``freeze()`` stops relaying but keeps every socket open and accepts new connections
without ever answering them: a database behind a link that stopped, which no error
reveals; ``thaw()`` relays again what was held.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST instead of FIN


class TcpForwarder:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port: int = self.listener.getsockname()[1]
        self.accepted = 0  # connections relayed
        self.refused = 0  # connections reset while cut
        self._is_cut = False
        self._flowing = threading.Event()
        self._flowing.set()
        self.held: list[socket.socket] = []  # connections accepted while frozen
        self._stopping = False
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> TcpForwarder:
        self._spawn(self._accept_loop)
        return self

    def cut(self) -> None:
        with self._lock:
            self._is_cut = True
            victims, self._open = self._open, set()
        for sock in victims:
            _reset(sock)

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        with self._lock:
            held, self.held = self.held, []
        for sock in held:
            _reset(sock)
        self._flowing.set()

    def restore(self) -> None:
        with self._lock:
            self._is_cut = False
        self._flowing = threading.Event()
        self._flowing.set()
        self.held: list[socket.socket] = []  # connections accepted while frozen

    def stop(self) -> None:
        self._stopping = True
        self.thaw()
        self.cut()
        self.listener.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _accept_loop(self) -> None:
        while not self._stopping:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                is_cut = self._is_cut
                if not self._flowing.is_set():
                    self.held.append(client)  # open, and never answered
                    continue
            if is_cut:
                self.refused += 1
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            self.accepted += 1
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                while not self._flowing.wait(0.2):  # frozen: hold what came
                    if self._stopping:
                        return
                sink.sendall(chunk)
        for sock in (source, sink):  # one side ended: end the other too
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._lock:  # each socket is the source of one pump, which closes it
            self._open.discard(source)
        source.close()


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
    with contextlib.suppress(OSError):  # wakes a pump blocked in recv(); close() alone would not
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
