"""Contacts, asked of the broker at sending time (claim check) and never kept by notify."""

import json
import urllib.error
import urllib.request
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from backbone.auth import Role, issue_token
from notify.channels.base import Contact

NOTIFY_SERVICE_ID = uuid5(NAMESPACE_URL, "conbini:service:notify")
HTTP_NOT_FOUND = 404
HTTP_GONE = 410


class ContactBook(Protocol):
    """Where contacts come from at sending time."""

    def reach(self, worker_id: UUID, tenant: str) -> Contact | None:
        """How to reach the worker; None when unknown or erased."""


class ContactsUnavailableError(RuntimeError):
    """The broker could not be asked right now; try again later."""


class BrokerContacts:
    """Asks the broker's `GET /workers/{id}/reach` with a short-lived service token."""

    def __init__(self, broker_url: str, jwt_key: str, timeout_s: float = 5.0) -> None:
        """Call the broker at `broker_url`, signing with the deployment's key."""
        self.broker_url = broker_url.rstrip("/")
        self.jwt_key = jwt_key
        self.timeout_s = timeout_s

    def reach(self, worker_id: UUID, tenant: str) -> Contact | None:
        """How to reach the worker; None when they are unknown or were erased.

        Raises:
            ContactsUnavailableError: the broker did not answer.
        """
        token = issue_token(
            self.jwt_key, tenant=tenant, role=Role.SERVICE, subject=NOTIFY_SERVICE_ID
        )
        request = urllib.request.Request(  # noqa: S310 - the configured broker
            f"{self.broker_url}/workers/{worker_id}/reach",
            headers={"Authorization": f"Bearer {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                found = json.loads(response.read())
        except urllib.error.HTTPError as error:
            error.close()  # the response's socket
            if error.code in (HTTP_NOT_FOUND, HTTP_GONE):
                return None
            msg = f"broker answered {error.code}"
            raise ContactsUnavailableError(msg) from error
        except OSError as error:
            msg = f"broker unreachable: {type(error).__name__}"
            raise ContactsUnavailableError(msg) from error
        return Contact(
            channels=tuple(found["channels"]),
            email=found.get("email"),
            phone=found.get("phone"),
            line_user_id=found.get("line_user_id"),
            name=found.get("name", ""),
        )
