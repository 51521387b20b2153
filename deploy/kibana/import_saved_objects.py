"""Import Kibana saved objects (an ``.ndjson`` export) once Kibana is available.

    python import_saved_objects.py --kibana-url http://kibana:5601 newsradar.ndjson

Waits for ``GET /api/status`` to report the overall level ``available``, then posts the
file to ``/api/saved_objects/_import`` (``overwrite=true`` by default, so a re-run updates
the objects in place: ids are stable). Exit status 0 when Kibana reports success, 1 with
each object's error otherwise, 2 when Kibana never became available.

Credentials: ``KIBANA_USERNAME`` / ``KIBANA_PASSWORD`` (or user:password in the URL);
``--cacert`` for a private CA (ECK's self-signed certificates). Standard library only, so
the one-shot job needs nothing beyond a Python interpreter.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

RETRYABLE_HTTP = {429, 500, 502, 503, 504}


class KibanaError(Exception):
    """Kibana answered, but not with what we need."""


def split_credentials(url: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    """The URL without user info, and a Basic authorization header if credentials exist."""
    parts = urllib.parse.urlsplit(url)
    user = urllib.parse.unquote(parts.username) if parts.username else env.get("KIBANA_USERNAME")
    password = (
        urllib.parse.unquote(parts.password) if parts.password else env.get("KIBANA_PASSWORD")
    )
    netloc = parts.hostname or ""
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    clean = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    if not user:
        return clean, None
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
    return clean, f"Basic {token}"


def api_url(base: str, path: str, space: str | None = None, **query: str) -> str:
    prefix = f"/s/{urllib.parse.quote(space)}" if space and space != "default" else ""
    url = f"{base}{prefix}{path}"
    return f"{url}?{urllib.parse.urlencode(query)}" if query else url


def multipart(field: str, filename: str, content: bytes, boundary: str) -> tuple[bytes, str]:
    """A multipart/form-data body with one file part, and its Content-Type."""
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + content + tail, f"multipart/form-data; boundary={boundary}"


def summarise(result: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """Whether an import response is a full success, and one line per problem."""
    problems = []
    for error in result.get("errors") or []:
        what = f"{error.get('type', '?')}/{error.get('id', '?')}"
        detail = error.get("error") or {}
        reason = detail.get("type", "error")
        if detail.get("references"):
            missing = ", ".join(f"{r.get('type')}/{r.get('id')}" for r in detail["references"])
            reason += f" (missing: {missing})"
        elif detail.get("message"):
            reason += f": {detail['message']}"
        problems.append(f"{what}: {reason}")
    ok = bool(result.get("success")) and not problems
    return ok, problems


def is_available(status: Mapping[str, Any]) -> bool:
    overall = status.get("status", {}).get("overall", {})
    return bool(overall.get("level") == "available")


class Kibana:
    def __init__(
        self,
        url: str,
        env: Mapping[str, str],
        cacert: Path | None,
        insecure: bool,
        request_timeout: float,
    ) -> None:
        self.base, self.auth = split_credentials(url, env)
        self.timeout = request_timeout
        self.context: ssl.SSLContext | None = None
        if self.base.startswith("https:"):
            self.context = ssl.create_default_context(cafile=str(cacert) if cacert else None)
            if insecure:
                self.context.check_hostname = False
                self.context.verify_mode = ssl.CERT_NONE

    def request(
        self, url: str, data: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        req = urllib.request.Request(url, data=data, method="POST" if data else "GET")
        req.add_header("kbn-xsrf", "true")
        req.add_header("Accept", "application/json")
        if self.auth:
            req.add_header("Authorization", self.auth)
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout, context=self.context) as resp:
                status, body = int(resp.status), resp.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        try:
            return status, json.loads(body) if body else {}
        except ValueError:
            return status, {"message": body[:200].decode("utf-8", "replace")}

    def wait_available(self, deadline: float, interval: float = 5.0) -> None:
        last = "no answer yet"
        while True:
            try:
                status, body = self.request(api_url(self.base, "/api/status"))
                if status == 200 and is_available(body):
                    return
                if status in (401, 403):
                    raise KibanaError(f"/api/status: HTTP {status} (check the credentials)")
                last = f"HTTP {status}"
            except OSError as exc:
                last = str(exc)
            if time.monotonic() >= deadline:
                raise TimeoutError(f"Kibana at {self.base} not available: {last}")
            print(f"waiting for Kibana at {self.base}: {last}", file=sys.stderr)
            time.sleep(interval)

    def import_file(
        self, path: Path, space: str | None, overwrite: bool, deadline: float
    ) -> Mapping[str, Any]:
        body, content_type = multipart("file", path.name, path.read_bytes(), uuid.uuid4().hex)
        query = {"overwrite": "true"} if overwrite else {}
        url = api_url(self.base, "/api/saved_objects/_import", space, **query)
        while True:
            status, result = self.request(url, body, {"Content-Type": content_type})
            if status == 200:
                return dict(result)
            if status not in RETRYABLE_HTTP or time.monotonic() >= deadline:
                raise KibanaError(f"import: HTTP {status}: {result.get('message', result)}")
            time.sleep(5.0)


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(description="Import Kibana saved objects (.ndjson).")
    parser.add_argument("file", type=Path, help="saved objects export (.ndjson)")
    parser.add_argument("--kibana-url", default=env.get("KIBANA_URL", "http://localhost:5601"))
    parser.add_argument("--space", default=env.get("KIBANA_SPACE"), help="Kibana space id")
    parser.add_argument("--no-overwrite", action="store_true", help="keep existing objects")
    parser.add_argument("--wait", type=float, default=600.0, help="seconds to wait for Kibana")
    parser.add_argument("--cacert", type=Path, help="CA bundle for an https Kibana URL")
    parser.add_argument("--insecure", action="store_true", help="skip TLS verification")
    args = parser.parse_args(argv)

    deadline = time.monotonic() + args.wait
    kibana = Kibana(args.kibana_url, env, args.cacert, args.insecure, request_timeout=30.0)
    try:
        kibana.wait_available(deadline)
    except (TimeoutError, KibanaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        result = kibana.import_file(args.file, args.space, not args.no_overwrite, deadline)
    except (OSError, KibanaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ok, problems = summarise(result)
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    print(
        f"imported {result.get('successCount', 0)} object(s) from {args.file}"
        f" into {kibana.base}: {'ok' if ok else 'FAILED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
