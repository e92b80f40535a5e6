"""A loopback stand-in for the Hugging Face Hub, speaking the endpoints ``huggingface_hub`` uses to publish.

Repo creation, YAML validation, pre-upload (upload modes), the Git LFS batch API with basic transfers (upload
and verify), the NDJSON commit endpoint and tags: what ``HfApi.create_repo``, ``preupload_lfs_files``,
``create_commit`` and ``create_tag`` call. It records every commit (files and their bytes), the LFS objects
received and the Authorization headers seen, and can fail on purpose (an LFS upload failing, commits answered
429 a few times). Reached through ``HF_ENDPOINT``; uploads use the LFS protocol (``HF_HUB_DISABLE_XET=1``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeHub:
    def __init__(self, token: str) -> None:
        self.token = token
        self.repos: dict[str, dict[str, Any]] = {}
        self.lfs: dict[str, bytes] = {}
        self.commits: list[dict[str, Any]] = []
        self.tags: list[dict[str, Any]] = []
        self.auth_seen: set[str] = set()
        self.fail_uploads_after: int | None = None  # LFS PUTs beyond this many answer 500
        self.commit_429s = 0  # answer this many commit calls with 429 first
        self.uploads = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _body(self) -> bytes:
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    return self.rfile.read(n)
                if self.headers.get("Transfer-Encoding") == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return b""

            def _send(self, status: int, payload: Any = None, headers: dict[str, str] | None = None) -> None:
                body = json.dumps(payload if payload is not None else {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _authorized(self) -> bool:
                auth = self.headers.get("Authorization", "")
                hub.auth_seen.add(auth)
                if auth != f"Bearer {hub.token}":
                    self._send(401, {"error": "Invalid credentials"})
                    return False
                return True

            def do_PUT(self) -> None:
                m = re.fullmatch(r"/lfs-upload/([0-9a-f]{64})", self.path)
                data = self._body()
                if not m:
                    return self._send(404, {"error": "not found"})
                hub.uploads += 1
                if hub.fail_uploads_after is not None and hub.uploads > hub.fail_uploads_after:
                    return self._send(500, {"error": "storage unavailable"})
                if hashlib.sha256(data).hexdigest() != m.group(1):
                    return self._send(400, {"error": "sha256 mismatch"})
                hub.lfs[m.group(1)] = data
                self._send(200)

            def do_GET(self) -> None:
                if self.path.startswith("/api/whoami-v2"):
                    if self._authorized():
                        self._send(
                            200,
                            {"type": "user", "name": "tester", "auth": {"accessToken": {"role": "write"}}},
                        )
                    return
                self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                path = self.path.split("?")[0]
                body = self._body()
                if path == "/lfs-verify":
                    oid = json.loads(body)["oid"]
                    return self._send(200 if oid in hub.lfs else 404)
                if not self._authorized():
                    return
                if path == "/api/repos/create":
                    req = json.loads(body)
                    repo_id = (
                        f"{req.get('organization')}/{req['name']}" if req.get("organization") else req["name"]
                    )
                    hub.repos.setdefault(
                        repo_id, {"type": req.get("type"), "visibility": req.get("visibility")}
                    )
                    return self._send(200, {"url": f"{hub.url}/datasets/{repo_id}", "name": repo_id})
                if path == "/api/validate-yaml":
                    return self._send(200, {"errors": [], "warnings": []})
                m = re.fullmatch(r"/api/datasets/(.+)/preupload/(.+)", path)
                if m:
                    files = json.loads(body)["files"]
                    modes = [
                        {
                            "path": f["path"],
                            "uploadMode": "lfs" if f["path"].endswith(".parquet") else "regular",
                            "shouldIgnore": False,
                        }
                        for f in files
                    ]
                    return self._send(200, {"files": modes})
                m = re.fullmatch(r"/datasets/(.+)\.git/info/lfs/objects/batch", path)
                if m:
                    objects = []
                    for o in json.loads(body)["objects"]:
                        entry = {"oid": o["oid"], "size": o["size"]}
                        if o["oid"] not in hub.lfs:
                            entry["actions"] = {
                                "upload": {"href": f"{hub.url}/lfs-upload/{o['oid']}"},
                                "verify": {"href": f"{hub.url}/lfs-verify"},
                            }
                        objects.append(entry)
                    return self._send(200, {"transfer": "basic", "objects": objects})
                m = re.fullmatch(r"/api/datasets/(.+)/commit/(.+)", path)
                if m:
                    if hub.commit_429s > 0:
                        hub.commit_429s -= 1
                        return self._send(429, {"error": "Too Many Requests"}, {"Retry-After": "0"})
                    files: dict[str, bytes] = {}
                    header: dict[str, Any] = {}
                    for line in body.decode().splitlines():
                        item = json.loads(line)
                        value = item["value"]
                        if item["key"] == "header":
                            header = value
                        elif item["key"] == "file":
                            files[value["path"]] = base64.b64decode(value["content"])
                        elif item["key"] == "lfsFile":
                            if value["oid"] not in hub.lfs:
                                return self._send(
                                    422, {"error": f"LFS object {value['oid']} was never uploaded"}
                                )
                            files[value["path"]] = hub.lfs[value["oid"]]
                    oid = hashlib.sha1(
                        json.dumps(sorted(files)).encode() + str(len(hub.commits)).encode()
                    ).hexdigest()
                    hub.commits.append(
                        {"repo": m.group(1), "files": files, "summary": header.get("summary"), "oid": oid}
                    )
                    return self._send(
                        200,
                        {
                            "commitUrl": f"{hub.url}/datasets/{m.group(1)}/commit/{oid}",
                            "commitOid": oid,
                            "pullRequestUrl": None,
                        },
                    )
                m = re.fullmatch(r"/api/datasets/(.+)/tag/(.+)", path)
                if m:
                    hub.tags.append({"repo": m.group(1), "revision": m.group(2), **json.loads(body)})
                    return self._send(200)
                self._send(404, {"error": f"unknown endpoint {path}"})

        return Handler
