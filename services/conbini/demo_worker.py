"""A demo worker for `conbini up`: registered once, so there is a worker page to open."""

import json
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from backbone.auth import Role, issue_token, load_or_create_key
from backbone.settings import jwt_key_file
from conbini.settings import UpSettings

log = logging.getLogger(__name__)
HEARD_WITHIN_S = 30.0
"""How long notify may take to hear of a just-registered worker (over NATS, about a second)."""
NOT_FOUND = 404
COORDINATOR = uuid5(NAMESPACE_URL, "conbini:up:coordinator")
DEMO_WORKER: dict[str, Any] = {
    "sex": "female",
    "district": "ofuku",
    "personal": {
        "name": "見本 はな",
        "kana": "みほん はな",
        "birth_date": "1956-05-01",
        "channels": ["web"],
        "consent": {"personal_data": True, "contact": ["web"], "recorded_on": "2026-11-01"},
        "experience": "デモ用の登録者です (a demo registrant)",
    },
    "skills": ["harvest", "packing", "cleaning"],
    "preferred_work_types": ["harvest"],
    "constraints": {
        "weekly": {str(day): [{"start": 480, "end": 1020}] for day in range(7)},
        "holidays_off": False,
        "home_district": "ofuku",
        "travel": "car",
        "max_travel_minutes": 60,
        "max_load": "medium",
    },
}


def call(method: str, url: str, token: str, body: object | None = None) -> Any:  # noqa: ANN401 - JSON
    """One JSON call to a service's API."""
    request = urllib.request.Request(  # noqa: S310 - our own loopback services
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def demo_worker_page(settings: UpSettings, *, broker_url: str, notify_url: str) -> str:
    """Register the demo worker on first start (remembered in the data dir); return their link."""
    env = {"CONBINI_DATA_DIR": str(settings.data_dir)}
    key = load_or_create_key(jwt_key_file(env))
    token = issue_token(key, tenant=settings.tenant, role=Role.COORDINATOR, subject=COORDINATOR)
    remembered = Path(settings.data_dir) / "demo-worker.json"
    try:
        if remembered.exists():
            worker_id = json.loads(remembered.read_text())["worker_id"]
        else:
            worker_id = call("POST", f"{broker_url}/workers", token, DEMO_WORKER)["id"]
            remembered.write_text(json.dumps({"worker_id": worker_id}))
        link = link_once_heard_of(notify_url, worker_id, token)
    except OSError as error:
        log.warning("could not prepare the demo worker: %s", error)
        return ""
    return str(link["url"])


def link_once_heard_of(notify_url: str, worker_id: str, token: str) -> Any:  # noqa: ANN401 - JSON
    """Ask notify for the worker's page link, waiting while it has not heard of them (404).

    Raises:
        OSError: notify refused otherwise, or had not heard of them in `HEARD_WITHIN_S`.
    """
    deadline = time.monotonic() + HEARD_WITHIN_S
    while True:
        try:
            return call("POST", f"{notify_url}/workers/{worker_id}/link", token)
        except urllib.error.HTTPError as refused:
            refused.close()  # the response's socket
            if refused.code != NOT_FOUND or time.monotonic() > deadline:
                raise
        time.sleep(0.5)
