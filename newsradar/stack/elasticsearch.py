"""A single Elasticsearch node from the integ-test-zip distribution on loopback.

Elasticsearch refuses to run as root, so when we are root it runs as a dedicated system
user; its files live under ``Settings.home`` (not root's home) where that user can reach them.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsradar.settings import Settings
from newsradar.stack import maven
from newsradar.stack.errors import StackError
from newsradar.stack.java import find_java
from newsradar.stack.process import Service, port_open, wait_until

GROUP = "org.elasticsearch.distribution.integ-test-zip"


def http_json(url: str, timeout: float = 2.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


class ElasticsearchNode:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        parts = urlsplit(settings.es_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 9200
        self.dir = settings.home / "elasticsearch"
        self.dist = self.dir / f"elasticsearch-{settings.es_version}"
        self.service = Service(
            "elasticsearch", self.dir / "elasticsearch.pid", settings.logs / "elasticsearch.log"
        )

    # --- obtaining -----------------------------------------------------------------
    def download(self) -> Path:
        return maven.copy_artifact(
            self.s.cache / "maven", GROUP, "elasticsearch", self.s.es_version, "zip"
        )

    def _major(self) -> int:
        return int(self.s.es_version.split(".")[0])

    def _java(self) -> Path:
        # Elasticsearch 9 needs Java 21+; 8.x runs on Java 17.
        return find_java(21 if self._major() >= 9 else 17, prefer=self.s.es_java_home)

    def _user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        name = self.s.es_user
        try:
            pwd.getpwnam(name)
        except KeyError:
            proc = subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    str(self.dir),
                    "--shell",
                    "/usr/sbin/nologin",
                    name,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise StackError(
                    f"cannot create the user {name!r} for Elasticsearch: {proc.stderr.strip()}"
                ) from None
        return name

    def _install(self, zip_path: Path) -> None:
        if (self.dist / "bin" / "elasticsearch").exists():
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / "unpack.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(tmp)
            for info in zf.infolist():  # zipfile drops the executable bits
                mode = info.external_attr >> 16
                if mode:
                    os.chmod(tmp / info.filename, mode & 0o7777)
        (tmp / f"elasticsearch-{self.s.es_version}").rename(self.dist)
        shutil.rmtree(tmp, ignore_errors=True)

    def _prepare_dirs(self, user: str | None) -> None:
        for d in (self.dir / "data", self.s.logs / "elasticsearch", self.dir / "tmp"):
            d.mkdir(parents=True, exist_ok=True)
        self.s.logs.mkdir(parents=True, exist_ok=True)
        for d in (self.s.home, self.s.logs):
            d.chmod(0o755)
        if user:
            ent = pwd.getpwnam(user)
            for root in (self.dir, self.s.logs / "elasticsearch"):
                for path in [root, *root.rglob("*")]:
                    os.chown(path, ent.pw_uid, ent.pw_gid, follow_symlinks=False)

    # --- running -------------------------------------------------------------------
    def running(self) -> bool:
        return self.service.pid() is not None

    def health(self) -> dict[str, Any] | None:
        try:
            data = http_json(f"{self.s.es_url}/_cluster/health")
        except (OSError, urllib.error.URLError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def version(self) -> str | None:
        try:
            nodes = http_json(f"{self.s.es_url}/_nodes/_local/info/version")
        except (OSError, urllib.error.URLError, ValueError):
            return None
        for node in nodes.get("nodes", {}).values():
            return str(node.get("version"))
        return None

    def ready(self) -> bool:
        health = self.health()
        return health is not None and health.get("status") in ("green", "yellow")

    def start(self) -> str:
        if self.running():
            wait_until(
                self.ready, self.s.start_timeout_s, "Elasticsearch", log_file=self.service.log_file
            )
            return "already running"
        if port_open(self.host, self.port):
            raise StackError(
                f"port {self.host}:{self.port} is taken by another process; stop it or move "
                "Elasticsearch with NEWSRADAR_ES_URL"
            )
        java = self._java()
        self._install(self.download())
        user = self._user()
        self._prepare_dirs(user)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_JAVA_HOME": str(java),
            "ES_JAVA_OPTS": f"-Xms{self.s.es_heap} -Xmx{self.s.es_heap}",
            "ES_TMPDIR": str(self.dir / "tmp"),
            "HOME": str(self.dir),
            "LANG": "C.UTF-8",
        }
        args = [
            str(self.dist / "bin" / "elasticsearch"),
            "-E",
            "discovery.type=single-node",
            "-E",
            "cluster.name=newsradar-local",
            "-E",
            f"network.host={self.host}",
            "-E",
            f"http.port={self.port}",
            "-E",
            f"transport.port={self.s.es_transport_port}",
            "-E",
            "xpack.security.enabled=false",  # loopback only: see README
            "-E",
            f"path.data={self.dir / 'data'}",
            "-E",
            f"path.logs={self.s.logs / 'elasticsearch'}",
            "-E",
            "cluster.routing.allocation.disk.threshold_enabled=false",
            "-E",
            "action.destructive_requires_name=false",
        ]
        self.service.start(args, env, cwd=self.dir, user=user)
        wait_until(
            self.ready,
            self.s.start_timeout_s,
            "Elasticsearch",
            alive=self.running,
            log_file=self.service.log_file,
        )
        return "started"

    def stop(self) -> str:
        return "stopped" if self.service.stop() else "not running"
