"""Background service processes: pid files, port checks, readiness, stopping."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsradar.stack.errors import StackError


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours still "exists": reap it if it is ours
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


@dataclass
class Service:
    name: str
    pid_file: Path
    log_file: Path

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if pid_alive(pid) else None

    def start(
        self,
        args: list[str],
        env: dict[str, str],
        cwd: Path,
        user: str | None = None,
    ) -> int:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                args,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() signals the whole tree
                user=user,
                group=user,
                extra_groups=[] if user else None,
            )
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.write_text(str(proc.pid))
        # The service outlives this process. While we live, a daemon thread holds the
        # handle and reaps the service if it exits (no zombie, no "subprocess is still
        # running" warning when the handle would otherwise be collected).
        threading.Thread(target=proc.wait, name=f"reap-{self.name}", daemon=True).start()
        return proc.pid

    def stop(self, timeout: float = 60.0) -> bool:
        """SIGTERM the process group, wait, then SIGKILL. True if something was stopped."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _group_alive(pid):
            time.sleep(0.2)
        if _group_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return pid_alive(pgid) or _any_in_group(pgid)


def _any_in_group(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def wait_until(
    check: Callable[[], bool],
    timeout: float,
    what: str,
    alive: Callable[[], bool] | None = None,
    log_file: Path | None = None,
) -> None:
    """Poll ``check`` until it is true; fail early if ``alive`` turns false."""
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        if check():
            return
        if alive is not None and not alive():
            raise StackError(f"{what} exited during start-up{_log_hint(log_file)}")
        if time.monotonic() > deadline:
            raise StackError(f"{what} not ready after {timeout:.0f} s{_log_hint(log_file)}")
        time.sleep(delay)
        delay = min(delay * 1.5, 2.0)


def _log_hint(log_file: Path | None) -> str:
    if log_file is None or not log_file.exists():
        return ""
    lines = log_file.read_text(errors="replace").splitlines()[-12:]
    return f"; see {log_file}. Last lines:\n" + "\n".join(lines)
