"""Octavo as the Notion API for a Python test suite (pytest): one in-memory server per session,
seeded from a fixture, rewound to it before every test through the admin API.

    OCTAVO_CMD="npx octavo" pytest        # default: the `octavo` on PATH
"""
import json
import os
import re
import shlex
import signal
import subprocess
import urllib.request

import pytest

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "task-digest", "fixture.yaml")


class Octavo:
    def __init__(self, url, admin_token):
        self.url = url
        self.admin_token = admin_token

    def admin(self, path, body=None):
        """Calls the admin API (/_octavo/...) and returns its JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}/_octavo{path}",
            data=data,
            method="POST" if data is not None else "GET",
            headers={"Authorization": f"Bearer {self.admin_token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req) as res:
            return json.load(res)


@pytest.fixture(scope="session")
def octavo():
    cmd = shlex.split(os.environ.get("OCTAVO_CMD", "octavo"))
    proc = subprocess.Popen(
        [*cmd, "serve", "--memory", "--port", "0", "--rate-limit", "off", "--fixture", FIXTURE],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "OCTAVO_CLOCK": "2026-01-01T09:00:00Z", "OCTAVO_LOG_LEVEL": "error"},
        start_new_session=True,  # a process group: `npx octavo` runs the server as its child
    )
    banner = ""
    for line in proc.stdout:  # the banner ends with "Try it:"
        banner += line
        if line.startswith("Try it:"):
            break
    url = re.search(r"listening on (\S+)", banner).group(1)
    admin_token = re.search(r"admin:\s+(\S+)", banner).group(1)
    server = Octavo(url, admin_token)
    server.admin("/snapshots", {"name": "base"})
    yield server
    os.killpg(proc.pid, signal.SIGTERM)  # the whole group, so no server outlives npx
    proc.wait(timeout=10)


@pytest.fixture
def notion(octavo):
    """Before each test: the workspace as the fixture made it, no fault rules, an empty journal."""
    octavo.admin("/snapshots/base/restore", {})
    for path in ("/faults", "/requests"):
        urllib.request.urlopen(
            urllib.request.Request(
                f"{octavo.url}/_octavo{path}",
                method="DELETE",
                headers={"Authorization": f"Bearer {octavo.admin_token}"},
            )
        ).close()
    return octavo
