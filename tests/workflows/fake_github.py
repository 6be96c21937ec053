"""A small fake of the GitHub REST API on 127.0.0.1 for the comment, label and drift-issue tests.

It keeps issue comments, labels and issues in memory and answers like GitHub does for the calls tak-gitops makes:
paginated lists with ``Link`` headers, create/update/delete of comments, labels, issues filtered by label, 422 for
bodies over 65,536 characters, 401 without the right token. Faults can be queued: a status with headers
(rate limits: 403 + ``X-RateLimit-Remaining: 0``/``X-RateLimit-Reset``, 429 + ``Retry-After``; 5xx), or a dropped
connection (status 0).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

MAX_BODY = 65_536


@dataclass
class Fault:
    status: int  # 0: drop the connection without an answer
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    path_contains: str | None = None


class FakeGitHub:
    """State plus a ThreadingHTTPServer bound to 127.0.0.1 on a free port."""

    def __init__(self, token: str = "ghs_fake_token_123456", max_per_page: int = 100) -> None:
        self.token = token
        self.max_per_page = max_per_page
        self.max_body = MAX_BODY
        self.comments: dict[int, dict[str, Any]] = {}
        self.issues: dict[tuple[str, int], dict[str, Any]] = {}
        self.labels: dict[tuple[str, int], list[str]] = {}
        self.pulls: dict[str, list[dict[str, Any]]] = {}
        self.login = "bot"
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []
        self._next_id = 1000
        self._next_issue = 500
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- lifecycle ------------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- helpers for tests --------------------------------------------------------------------------------------

    def add_comment(self, repo: str, number: int, body: str, user: str = "someone") -> int:
        with self._lock:
            self._next_id += 1
            cid = self._next_id
            self.comments[cid] = {"id": cid, "repo": repo, "issue": number, "body": body, "user": {"login": user}}
            return cid

    def comments_of(self, repo: str, number: int) -> list[dict[str, Any]]:
        return [c for _, c in sorted(self.comments.items()) if c["repo"] == repo and c["issue"] == number]

    def fail(self, status: int, count: int = 1, **kwargs: Any) -> None:
        self.faults.extend(Fault(status, **kwargs) for _ in range(count))

    def calls(self, method: str | None = None) -> list[tuple[str, str, int]]:
        return [c for c in self.log if method is None or c[0] == method]

    # -- the server -----------------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def _send(self, status: int, payload: Any = None, headers: dict[str, str] | None = None) -> None:
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
                fake.log.append((self.command, self.path, status))

            def _body(self) -> Any:
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                return json.loads(raw) if raw else None

            def _dispatch(self) -> None:
                body = self._body()
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._send(401, {"message": "Bad credentials"})
                    return
                for i, f in enumerate(fake.faults):
                    if (f.method is None or f.method == self.command) and (
                        f.path_contains is None or f.path_contains in self.path
                    ):
                        del fake.faults[i]
                        if f.status == 0:
                            fake.log.append((self.command, self.path, 0))
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return
                        self._send(f.status, {"message": f"injected {f.status}"}, f.headers)
                        return
                with fake._lock:
                    self._route(body)

            def _page(self, items: list[Any]) -> None:
                parts = urlsplit(self.path)
                q = parse_qs(parts.query)
                per_page = min(int(q.get("per_page", ["30"])[0]), fake.max_per_page)
                page = int(q.get("page", ["1"])[0])
                chunk = items[(page - 1) * per_page : page * per_page]
                headers = {}
                last = max(1, -(-len(items) // per_page))
                if page < last:
                    base = {k: v[0] for k, v in q.items() if k != "page"}
                    query = "&".join(f"{k}={v}" for k, v in base.items())
                    nxt = f"{fake.url}{parts.path}?{query}&page={page + 1}"
                    lst = f"{fake.url}{parts.path}?{query}&page={last}"
                    headers["Link"] = f'<{nxt}>; rel="next", <{lst}>; rel="last"'
                self._send(200, chunk, headers)

            def _route(self, body: Any) -> None:
                parts = urlsplit(self.path)
                seg = [unquote(s) for s in parts.path.strip("/").split("/")]
                q = parse_qs(parts.query)
                if seg == ["user"] and self.command == "GET":
                    self._send(200, {"login": fake.login})
                    return
                if len(seg) == 4 and seg[0] == "repos" and seg[3] == "pulls" and self.command == "GET":
                    self._page(fake.pulls.get(f"{seg[1]}/{seg[2]}", []))
                    return
                if len(seg) < 4 or seg[0] != "repos":
                    self._send(404, {"message": "Not Found"})
                    return
                repo = f"{seg[1]}/{seg[2]}"
                rest = seg[3:]
                m = self.command
                # /issues/comments/{id}
                if rest[:2] == ["issues", "comments"] and len(rest) == 3:
                    cid = int(rest[2])
                    c = fake.comments.get(cid)
                    if c is None or c["repo"] != repo:
                        self._send(404, {"message": "Not Found"})
                    elif m == "PATCH":
                        if self._too_long(body):
                            return
                        c["body"] = body["body"]
                        self._send(200, c)
                    elif m == "DELETE":
                        del fake.comments[cid]
                        self._send(204)
                    else:
                        self._send(200, c)
                    return
                # /issues/{n}/comments
                if rest[0] == "issues" and len(rest) == 3 and rest[2] == "comments":
                    n = int(rest[1])
                    if m == "GET":
                        self._page(fake.comments_of(repo, n))
                    elif m == "POST":
                        if self._too_long(body):
                            return
                        fake._next_id += 1
                        cid = fake._next_id
                        c = {"id": cid, "repo": repo, "issue": n, "body": body["body"], "user": {"login": fake.login}}
                        fake.comments[cid] = c
                        self._send(201, c)
                    return
                # /issues/{n}/labels[/{name}]
                if rest[0] == "issues" and len(rest) >= 3 and rest[2] == "labels":
                    key = (repo, int(rest[1]))
                    labels = fake.labels.setdefault(key, [])
                    if m == "GET" and len(rest) == 3:
                        self._page([{"name": x} for x in labels])
                    elif m == "POST" and len(rest) == 3:
                        for x in body["labels"]:
                            if x not in labels:
                                labels.append(x)
                        self._send(200, [{"name": x} for x in labels])
                    elif m == "DELETE" and len(rest) == 4:
                        if rest[3] in labels:
                            labels.remove(rest[3])
                            self._send(200, [{"name": x} for x in labels])
                        else:
                            self._send(404, {"message": "Label does not exist"})
                    return
                # /issues (list, create) and /issues/{n}
                if rest[0] == "issues" and len(rest) == 1:
                    if m == "GET":
                        state = q.get("state", ["open"])[0]
                        want = set(q.get("labels", [""])[0].split(",")) - {""}
                        items = [
                            self._issue_json(i)
                            for (r, _), i in sorted(fake.issues.items())
                            if r == repo
                            and (state == "all" or i["state"] == state)
                            and want <= set(fake.labels.get((r, i["number"]), []))
                        ]
                        self._page(items)
                    elif m == "POST":
                        if self._too_long(body):
                            return
                        fake._next_issue += 1
                        n = fake._next_issue
                        fake.issues[(repo, n)] = {
                            "number": n,
                            "repo": repo,
                            "title": body["title"],
                            "body": body.get("body", ""),
                            "state": "open",
                        }
                        fake.labels[(repo, n)] = list(body.get("labels", []))
                        self._send(201, self._issue_json(fake.issues[(repo, n)]))
                    return
                if rest[0] == "issues" and len(rest) == 2:
                    i = fake.issues.get((repo, int(rest[1])))
                    if i is None:
                        self._send(404, {"message": "Not Found"})
                        return
                    if m == "PATCH":
                        if self._too_long(body):
                            return
                        for k in ("title", "body", "state"):
                            if k in body:
                                i[k] = body[k]
                    self._send(200, self._issue_json(i))
                    return
                self._send(404, {"message": "Not Found"})

            def _issue_json(self, i: dict[str, Any]) -> dict[str, Any]:
                labels = fake.labels.get((i["repo"], i["number"]), [])
                return {**i, "labels": [{"name": x} for x in labels]}

            def _too_long(self, body: Any) -> bool:
                if body and len(body.get("body") or "") > fake.max_body:
                    self._send(
                        422,
                        {
                            "message": "Validation Failed",
                            "errors": [
                                {
                                    "resource": "IssueComment",
                                    "code": "custom",
                                    "field": "body",
                                    "message": f"body is too long (maximum is {fake.max_body} characters)",
                                }
                            ],
                        },
                    )
                    return True
                return False

            do_GET = do_POST = do_PATCH = do_DELETE = _dispatch  # noqa: N815

        return Handler
