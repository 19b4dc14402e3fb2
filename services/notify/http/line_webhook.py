"""The LINE webhook: postback answers from the 「うける」/「ことわる」 buttons.

LINE signs each call with the channel secret (`X-Line-Signature`); a call that does not
verify gets 401 and records nothing. A postback LINE redelivers, or a button pressed
twice, finds the answer already recorded and changes nothing.
"""

from typing import Any
from uuid import uuid4

from litestar import Controller, Request, post
from litestar.exceptions import NotAuthorizedException
from litestar.status_codes import HTTP_200_OK

from backbone.flow import Flow, within_flow
from backbone.threads import run_sync
from notify.bootstrap import Notify
from notify.channels.line import BadPostbackError, InvalidSignatureError, postback_answers
from notify.commands.answer_offer import answer_offer
from notify.domain.errors import NotFoundError
from notify.http.context import NotifyDep

MAX_WEBHOOK_BYTES = 1024 * 1024


def record_answers(notify: Notify, body: str, signature: str) -> int:
    """Verify the call and record each postback answer once; return how many were new.

    Raises:
        NotAuthorizedException: the signature does not verify, or a button was not ours.
    """
    line = notify.settings.line
    if line is None:
        raise NotAuthorizedException(detail="no LINE channel is configured")
    try:
        answers = postback_answers(line.channel_secret, notify.jwt_key, body, signature)
    except (InvalidSignatureError, BadPostbackError) as error:
        raise NotAuthorizedException(detail=f"LINE webhook refused: {error}") from error
    recorded = 0
    for answer in answers:
        offer_card = notify.app.board.offers.get(answer.offer_id)
        if offer_card is None:
            continue  # an offer this process has not seen (yet): LINE will not resend
        with within_flow(Flow(tenant=offer_card.tenant, correlation_id=uuid4())):
            try:
                result, _ = answer_offer(
                    notify.app,
                    answer.offer_id,
                    tenant=offer_card.tenant,
                    worker_id=offer_card.worker_id,
                    accept=answer.accept,
                    channel="line",
                    now=notify.clock.now(),
                )
            except NotFoundError:
                continue
        recorded += result.value == "recorded"
    return recorded


class LineWebhookController(Controller):
    """`POST /line/webhook`, called by the LINE platform."""

    path = "/line"

    @post(
        "/webhook",
        status_code=HTTP_200_OK,
        summary="LINE Messaging API webhook (postback answers)",
        request_max_body_size=MAX_WEBHOOK_BYTES,
        raises=[NotAuthorizedException],  # a missing or wrong X-Line-Signature
    )
    async def webhook(self, request: Request[Any, Any, Any], notify: NotifyDep) -> dict[str, int]:
        """Verify `X-Line-Signature`, then record each answer once."""
        body = (await request.body()).decode("utf-8", errors="replace")
        signature = request.headers.get("x-line-signature", "")
        await run_sync(notify.app.board.catch_up, notify.app)
        recorded = await run_sync(record_answers, notify, body, signature)
        return {"recorded": recorded}
