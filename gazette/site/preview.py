"""The preview server behind `gazette serve`: build, serve the output on localhost, rebuild when content,
templates or site.yaml change, and make the open browser page reload itself.

The reload script is added to HTML pages as they are served, never written into the output, so a published
site never carries it. A build that fails leaves the last good output in place (gazette/output.py), so the
server keeps serving it while the error shows in the terminal and, through the same script, in the browser.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gazette.errors import ContentErrors, GazetteError
from gazette.render.html import template_dirs

ENDPOINT = "/__gazette/"  # never a folder of a built site: ids and slugs cannot start with "_"
STATUS_PATH = ENDPOINT + "status"
SCRIPT_PATH = ENDPOINT + "reload.js"
PREVIEW_TEMPLATES = "site/preview"
POLL_SECONDS = 0.5
TAG = f'<script src="{SCRIPT_PATH}"></script>'.encode()


@dataclass
class BuildState:
    """What the browser polls: a build number that changes after each successful build, and the last error."""

    build: int = 0
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.build, "error": self.error}, ensure_ascii=False).encode()

    def succeeded(self) -> None:
        with self.lock:
            self.build += 1
            self.error = None

    def failed(self, message: str) -> None:
        with self.lock:
            self.error = message


def run_build(builder: Callable[[], object], state: BuildState, say: Callable[[str], None]) -> bool:
    """One build; content mistakes and other expected errors are reported, not raised."""
    try:
        builder()
    except ContentErrors as exc:
        message = "\n".join(str(error) for error in exc.errors)
    except GazetteError as exc:
        message = str(exc)
    else:
        state.succeeded()
        return True
    state.failed(message)
    say(message)
    return False


# --- watching ---------------------------------------------------------------------------------------------

def watched_folders(content: Path) -> list[Path]:
    """The content folder (notices, site.yaml, images, its own templates) and the shipped templates."""
    return [content, *template_dirs(content)]


def snapshot(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    """Modification time and size of every file: polling is enough for a folder of YAML files, and works the
    same on every system and on network drives."""
    seen: dict[Path, tuple[int, int]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            try:
                info = path.stat()
            except OSError:  # removed while we looked
                continue
            if path.is_file():
                seen[path] = (info.st_mtime_ns, info.st_size)
    return seen


def watch(folders: list[Path], last: dict[Path, tuple[int, int]], on_change: Callable[[], None],
          stop: threading.Event) -> None:
    """Call on_change whenever the files differ from `last`, the snapshot the current output was built from."""
    while not stop.wait(POLL_SECONDS):
        current = snapshot(folders)
        if current != last:
            last = current
            on_change()


# --- serving ------------------------------------------------------------------------------------------------

class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder, plus the status endpoint and the reload script; HTML gets the script tag."""

    state: BuildState
    script: bytes
    error_page: Callable[[str], bytes]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass  # the terminal is for build messages

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = unquote(urlsplit(self.path).path)
        if path == STATUS_PATH:
            return self.send_bytes(self.state.as_json(), "application/json; charset=utf-8")
        if path == SCRIPT_PATH:
            return self.send_bytes(self.script, "text/javascript; charset=utf-8")
        if not Path(self.directory).is_dir():  # the first build failed: there is nothing good to show yet
            return self.send_bytes(inject(self.error_page(self.state.error or "")), "text/html; charset=utf-8", 503)
        file = Path(self.translate_path(self.path))
        if file.is_dir():
            if not path.endswith("/"):
                return super().do_GET()  # redirects to path/, so that the page's relative links resolve
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            return self.send_bytes(inject(file.read_bytes()), "text/html; charset=utf-8")
        return super().do_GET()

    def send_bytes(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload must show the new build
        super().end_headers()


def inject(html: bytes) -> bytes:
    at = html.rfind(b"</body>")
    return html + TAG if at < 0 else html[:at] + TAG + html[at:]


class Preview:
    """A build, a server and a watcher: `start` builds once and serves; every change rebuilds."""

    def __init__(self, content: Path, out: Path, builder: Callable[[], object], say: Callable[[str], None]):
        self.content = content
        self.out = out
        self.builder = builder
        self.say = say
        self.state = BuildState()
        self.stop = threading.Event()
        self.server: http.server.ThreadingHTTPServer | None = None

    def rebuild(self) -> bool:
        return run_build(self.builder, self.state, self.say)

    def start(self, host: str, port: int) -> str:
        """Build, then serve on host:port (0: any free port); returns the address to open."""
        folders = watched_folders(self.content)
        before = snapshot(folders)  # taken before building: a file saved during the build triggers another
        self.rebuild()
        handler = type("Handler", (PreviewHandler,), {
            "state": self.state,
            "script": preview_template("reload.js").encode(),
            "error_page": staticmethod(lambda message: preview_template("error.html.j2", message=message).encode()),
        })
        self.server = http.server.ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(self.out)))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="preview-server", daemon=True).start()
        threading.Thread(target=watch, args=(folders, before, self.rebuild, self.stop), name="preview-watch",
                         daemon=True).start()
        shown_host = f"[{host}]" if ":" in host else host
        return f"http://{shown_host}:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.stop.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def preview_template(name: str, **values: object) -> str:
    """The preview's own files (templates/site/preview/): wording for the browser lives there, not here."""
    from gazette.render.html import TEMPLATES_DIR, environment

    return environment((TEMPLATES_DIR,)).get_template(f"{PREVIEW_TEMPLATES}/{name}").render(**values)
