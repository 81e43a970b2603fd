"""The web app served by uvicorn in its own process on a free port of 127.0.0.1, for tests
and benchmarks that need a real server process (to SIGKILL it, or to load it from outside).

- :class:`LiveServer` runs ``k2lab serve`` as a subprocess (what ``make run`` does).
- :class:`Zygote` is for tests that restart a server many times: one helper process imports
  the app once, then each :meth:`Zygote.start` forks a fresh server process from it (a new
  ``create_app`` and uvicorn), so a restart costs the app's start, not Python's imports
  (6-15 s on a busy 2-core machine). A forked server is a process of its own: SIGKILL ends
  it as it would end ``k2lab serve``.

Example
-------
>>> server = LiveServer("sqlite:////tmp/k2lab.sqlite3", log=Path("/tmp/k2lab-serve.log"))
>>> server.start()          # doctest: +SKIP
>>> server.kill()           # SIGKILL, no shutdown hooks    # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

__all__ = ["LiveServer", "Zygote", "free_port", "wait_healthy"]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, alive: Callable[[], bool], log: Path, timeout_s: float) -> None:
    """Wait until ``url``'s ``/api/v1/health`` answers 200 (RuntimeError, with the end of
    ``log``, if the server dies or ``timeout_s`` passes first)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if not alive():
            raise RuntimeError(f"the server exited:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not answer within {timeout_s} s")
        time.sleep(0.05)


class LiveServer:
    """One ``k2lab serve`` process on ``database_url``; each :meth:`start` takes a new port.

    ``food_db`` is the food database (``K2LAB_FOOD_DB``); ``args`` are extra ``serve``
    options (``--load-examples``); the server's output goes to ``log`` (appended)."""

    def __init__(
        self,
        database_url: str,
        *,
        log: Path,
        food_db: Path | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.database_url = database_url
        self.log = log
        self.food_db = food_db
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout_s: float = 60.0) -> str:
        """Start the server and wait until ``/api/v1/health`` answers; its base URL."""
        if self.process is not None:
            raise RuntimeError("the server is running; kill() or stop() it first")
        port = free_port()
        env = {**os.environ, "K2LAB_DATABASE_URL": self.database_url}
        if self.food_db is not None:
            env["K2LAB_FOOD_DB"] = str(self.food_db)
        script = Path(sys.executable).with_name("k2lab")
        command = [str(script)] if script.is_file() else [sys.executable, "-m", "k2lab.cli"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*command, "serve", "--port", str(port), *self.args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{port}"
        process = self.process
        try:
            wait_healthy(self.url, lambda: process.poll() is None, self.log, timeout_s)
        except RuntimeError:
            self.kill()
            raise
        return self.url

    @property
    def pid(self) -> int:
        """The server's process id."""
        if self.process is None:
            raise RuntimeError("the server is not running")
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the server (no shutdown, no flush) and reap it."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """Stop the server the polite way (SIGTERM), else kill it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None


class Zygote:
    """A helper process with the app imported, forking one server per :meth:`start`.

    Use as a context manager; :meth:`start` gives the server's pid and base URL,
    :meth:`kill` SIGKILLs it and waits until it is gone."""

    def __init__(self, *, food_db: Path, log: Path) -> None:
        self.food_db = food_db
        self.log = log
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        self._helper = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        self._pids: set[int] = set()

    def _ask(self, **command: Any) -> dict[str, Any]:
        assert self._helper.stdin is not None and self._helper.stdout is not None
        self._helper.stdin.write(json.dumps(command) + "\n")
        self._helper.stdin.flush()
        line = self._helper.stdout.readline()
        if not line:
            raise RuntimeError(f"the zygote exited:\n{self.log.read_text()[-4000:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def start(self, database_url: str, timeout_s: float = 60.0) -> tuple[int, str]:
        """Fork a server on ``database_url``; its pid and base URL once it answers."""
        port = free_port()
        pid = int(
            self._ask(op="start", port=port, database_url=database_url,
                      food_db=str(self.food_db), log=str(self.log))["pid"]
        )  # fmt: skip
        self._pids.add(pid)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, lambda: _alive(pid), self.log, timeout_s)
        except RuntimeError:
            self.kill(pid)
            raise
        return pid, url

    def kill(self, pid: int) -> int:
        """SIGKILL server ``pid`` and reap it; its wait status."""
        if pid not in self._pids:
            raise RuntimeError(f"{pid} is not a server of this zygote")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._pids.discard(pid)
        return int(self._ask(op="wait", pid=pid)["status"])

    def close(self) -> None:
        """Kill every server still running and end the helper."""
        for pid in list(self._pids):
            self.kill(pid)
        assert self._helper.stdin is not None and self._helper.stdout is not None
        self._helper.stdin.close()
        self._helper.wait(timeout=30)
        self._helper.stdout.close()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _serve_forked(command: dict[str, Any]) -> None:
    """In the forked child: the app on the command's store and port, output to its log."""
    import uvicorn

    from k2lab.web import Settings, create_app

    fd = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    settings = Settings(database_url=command["database_url"], food_db=Path(command["food_db"]),
                        port=command["port"])  # fmt: skip
    uvicorn.run(create_app(settings), host="127.0.0.1", port=command["port"],
                log_level="warning", access_log=False)  # fmt: skip


def _zygote() -> None:
    """The helper's loop: one JSON command a line on stdin, one JSON answer a line."""
    import uvicorn  # noqa: F401  (imported once here, inherited by every fork)

    import k2lab.web  # noqa: F401

    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "start":
            pid = os.fork()
            if pid == 0:
                try:
                    _serve_forked(command)
                finally:
                    os._exit(0)
            answer: dict[str, Any] = {"pid": pid}
        else:
            _, status = os.waitpid(command["pid"], 0)
            answer = {"status": status}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _zygote()
