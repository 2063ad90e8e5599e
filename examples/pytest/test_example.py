"""What a Python integration's tests look like against Octavo (stdlib HTTP; notion-client works
the same with base_url=octavo.url)."""
import json
import urllib.error
import urllib.request

TOKEN = "ntn_digestbot0000000000000000000000"  # fixed by the fixture
TEAM = "0a0a0a0a-0000-4000-8000-000000000001"


def call(octavo, method, path, body=None):
    req = urllib.request.Request(
        f"{octavo.url}/v1{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Notion-Version": "2025-09-03",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, json.load(res)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def test_creates_a_page(notion):
    status, page = call(notion, "POST", "/pages", {
        "parent": {"page_id": TEAM},
        "properties": {"title": {"title": [{"text": {"content": "From pytest"}}]}},
    })
    assert status == 200
    assert page["created_time"] == "2026-01-01T09:00:00.000Z"  # OCTAVO_CLOCK


def test_starts_from_the_fixture(notion):
    status, children = call(notion, "GET", f"/blocks/{TEAM}/children")
    assert status == 200
    assert [b["type"] for b in children["results"]] == ["child_database"]


def test_rate_limited(notion):
    notion.admin("/faults", {"route": "/v1/users/me", "status": 429, "retry_after": 1, "count": 1})
    status, err = call(notion, "GET", "/users/me")
    assert (status, err["code"]) == (429, "rate_limited")
    assert call(notion, "GET", "/users/me")[0] == 200
