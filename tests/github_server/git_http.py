"""Smart HTTP for the loopback GitHub: ``/{owner}/{name}.git/...`` answered by ``git http-backend``.

GitHub serves a repository for cloning at its ``clone_url`` (``https://HOST/owner/name.git``);
the loopback server does the same on its own port when a directory of bare repositories is
given (``GitHubServer(git_root=DIR)``, repositories at ``DIR/owner/name.git``). The CGI is
run once per request, as a web server would run it. With tokens required by the state, a
request must carry HTTP basic auth whose password is one of them (GitHub's
``x-access-token:TOKEN``), else it gets 401 with ``WWW-Authenticate: Basic``, so a client
first tries without credentials and then asks its credential callback, as against GitHub.

Git requests are counted apart from the REST requests (``GitHubServer.git_requests``): the
API budget is about the REST API, and clones do not count against it on GitHub either.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: the path of a git smart-HTTP request: /owner/name.git/info/refs, /owner/name.git/git-upload-pack
GIT_PATH = re.compile(r"^/(?P<owner>[A-Za-z0-9_.-]+)/(?P<name>[A-Za-z0-9_.-]+)\.git(?P<rest>/.*)$")
#: only fetching is served: never receive-pack
ALLOWED = re.compile(r"^/(info/refs|git-upload-pack|HEAD|objects/.*)$")


@dataclass
class GitRequest:
    """One git request as the server saw it (no credentials kept)."""

    method: str
    path: str
    status: int
    authenticated: bool


@dataclass
class CgiAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def http_backend() -> str:
    """The ``git http-backend`` program (in git's exec path)."""
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()
    program = Path(exec_path) / "git-http-backend"
    if program.exists():
        return str(program)
    found = shutil.which("git-http-backend")
    if found is None:
        raise RuntimeError("git http-backend not found")
    return found


def basic_password(authorization: str | None) -> str | None:
    """The password of an HTTP basic ``Authorization`` header (a token, for GitHub)."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2]


def dechunk(raw: bytes) -> bytes:
    """The body of a ``Transfer-Encoding: chunked`` request (libgit2 sends large POSTs so)."""
    out = bytearray()
    position = 0
    while True:
        end = raw.index(b"\r\n", position)
        size = int(raw[position:end].split(b";")[0], 16)
        position = end + 2
        if size == 0:
            return bytes(out)
        out += raw[position : position + size]
        position += size + 2


def run_backend(
    program: str,
    git_root: Path,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
) -> CgiAnswer:
    """Run the CGI for one request and parse its answer."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_PROJECT_ROOT": str(git_root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": str(git_root),
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": headers.get("content-type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_USER": "loopback",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "GATEWAY_INTERFACE": "CGI/1.1",
    }
    if headers.get("content-encoding"):
        env["HTTP_CONTENT_ENCODING"] = headers["content-encoding"]
    if headers.get("git-protocol"):
        env["GIT_PROTOCOL"] = headers["git-protocol"]
    try:
        proc = subprocess.run([program], input=body, env=env, capture_output=True, check=False)
    except OSError as exc:  # no process to run (out of processes or files): a 500, not a dropped connection
        return CgiAnswer(500, [("Content-Type", "text/plain")], f"{exc}\n".encode())
    head, _, payload = proc.stdout.partition(b"\r\n\r\n")
    if not _:
        head, _, payload = proc.stdout.partition(b"\n\n")
    status = 200
    answer_headers: list[tuple[str, str]] = []
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            answer_headers.append((name.strip(), value.strip()))
    if proc.returncode != 0 and not proc.stdout:
        return CgiAnswer(500, [("Content-Type", "text/plain")], proc.stderr[-500:])
    return CgiAnswer(status, answer_headers, payload)
