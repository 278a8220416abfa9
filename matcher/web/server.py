"""Running the app with uvicorn: logging without user text, and a background server for tests and benches."""

from __future__ import annotations

import copy
import logging
import socket
import threading
import time
from typing import Any

logger = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class DropQueryString(logging.Filter):
    """Access-log lines show method, path and status: never bodies, and not the query string either."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config(access_log: bool = True) -> dict[str, Any]:
    """uvicorn's logging config with the query-string filter on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["drop_query"] = {"()": f"{__name__}.DropQueryString"}
    config["handlers"]["access"]["filters"] = ["drop_query"]
    if not access_log:
        config["loggers"]["uvicorn.access"]["level"] = "WARNING"
    return config


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free port; read it back with ``getsockname()``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(app: Any, host: str = "127.0.0.1", port: int = 8000, access_log: bool = True) -> None:
    """Serve ``app`` in the foreground until Ctrl+C (one process: the model is loaded once)."""
    import uvicorn

    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=log_config(access_log),
        access_log=access_log,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


class BackgroundServer:
    """``with BackgroundServer(app) as url:`` serves ``app`` on a free 127.0.0.1 port in a thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1", start_timeout_s: float = 30.0) -> None:
        self.app = app
        self.host = host
        self.start_timeout_s = start_timeout_s
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> str:
        import uvicorn

        sock = bind_socket(self.host, 0)
        self.url = url_of(sock)
        config = uvicorn.Config(
            self.app,
            log_config=log_config(False),
            log_level="warning",
            access_log=False,
            lifespan="on",
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="rolematch-web"
        )
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {self.url} within {self.start_timeout_s} s")
            time.sleep(0.02)
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
