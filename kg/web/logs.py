"""Logging for ``kg serve`` with a bounded volume.

A stranger controls how many requests (and bad requests, and dropped
connections) the server sees, so without a bound they control how fast
the log grows.  Every handler gets one ``RateLimit`` filter (a token
bucket: ``burst`` records at once, ``per_second`` on average); what it
drops is counted and reported in one line once records flow again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

PER_SECOND = 20.0
BURST = 100


class RateLimit(logging.Filter):
    """Let through at most ``burst`` records at once and ``per_second`` on average; count the rest."""

    def __init__(self, per_second: float = PER_SECOND, burst: int = BURST) -> None:
        super().__init__()
        self.per_second, self.burst = per_second, burst
        self.tokens, self.last, self.dropped = float(burst), time.monotonic(), 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.per_second)
            self.last = now
            if self.tokens < 1:
                self.dropped += 1
                return False
            self.tokens -= 1
            if self.dropped:
                record.msg = f"[{self.dropped} log records dropped (more than {self.per_second:g}/s)] {record.msg}"
                self.dropped = 0
            return True


def log_config(level: str = "info", *, access_log: bool = True, per_second: float = PER_SECOND, burst: int = BURST) -> dict[str, Any]:
    """uvicorn's logging configuration, every handler behind one shared rate limit (asyncio's and ours included)."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "filters": ["rate"], "formatter": "plain"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"rate": {"()": RateLimit, "per_second": per_second, "burst": burst}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": handler},
        "loggers": {
            name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "asyncio", "kg.serve")
        } | {"uvicorn.access": {"handlers": ["stderr"] if access_log else [], "level": "INFO", "propagate": False}},
    }
