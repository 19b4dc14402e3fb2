"""`conbini worker erase <id>`: erase a person's personal data on request (APPI).

Asks the broker (`CONBINI_BROKER_URL`, default http://127.0.0.1:8001) to destroy the
worker's data key; the broker publishes WorkerErased and notify and payout destroy their
own keys for that person. Their history — ids, minutes, yen — stays, so replay, KPIs and
ledgers are unchanged; everything personal becomes unreadable, old events and exports
included. Signs a short-lived coordinator token with the deployment's key.
"""

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from backbone.auth import Role, issue_token, load_or_create_key
from backbone.settings import jwt_key_file

HTTP_NOT_FOUND = 404


def erase_command(worker_id: UUID, tenant: str, out: Callable[[str], None] = print) -> int:
    """Erase one worker; 0 when done (or done before), 1 when unknown, 2 when unreachable."""
    broker = os.environ.get("CONBINI_BROKER_URL") or (
        f"http://127.0.0.1:{os.environ.get('CONBINI_BROKER_PORT', '8001')}"
    )
    token = issue_token(
        load_or_create_key(jwt_key_file(os.environ)),
        tenant=tenant,
        role=Role.COORDINATOR,
        subject=uuid5(NAMESPACE_URL, "conbini:cli:worker-erase"),
        lifetime=timedelta(minutes=5),
    )
    request = urllib.request.Request(  # noqa: S310 - the configured broker
        f"{broker.rstrip('/')}/workers/{worker_id}/personal",
        method="DELETE",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310
            pass
    except urllib.error.HTTPError as error:
        error.close()  # the response's socket
        if error.code == HTTP_NOT_FOUND:
            out(f"no worker {worker_id} in {tenant}")
            return 1
        out(f"the broker refused: {error.code}")
        return 2
    except OSError as error:
        out(f"the broker at {broker} did not answer: {error}")
        return 2
    out(
        f"erased the personal data of worker {worker_id}: their key is destroyed in broker, "
        "and notify and payout destroy theirs when WorkerErased reaches them"
    )
    return 0
