"""The worker page: offers, upcoming and finished work, one big button per answer, live.

Reached by a signed, expiring link (`/w/<token>`) from an email, an SMS, LINE, or a
coordinator; no password to remember. Every answer is recorded once: pressing twice,
replaying the link or going back and pressing again changes nothing, and a late "yes"
gets a kind "already taken".
"""

from collections.abc import Mapping
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, ServerSentEvent, Template
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_303_SEE_OTHER,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
)
from markupsafe import Markup

from backbone.flow import Flow, within_flow
from backbone.threads import run_sync
from backbone.tracing import new_correlation
from notify.bootstrap import Notify
from notify.commands.answer_offer import answer_offer
from notify.commands.check_in_out import check_in, check_out
from notify.domain.shift import Step
from notify.http.context import HubDep, NotifyDep
from notify.http.headers import WorkerPageHeaders, new_nonce, page_policy
from notify.http.views import aggregate_view, card_view, job_view, superseded
from notify.http.words import WORDS
from notify.links import BadLinkError, LinkHolder, read_link_token

Lang = Literal["ja", "en"]
Via = Literal["web", "email", "sms", "line"]
LangParam = FromQuery[Lang | None]
ViaParam = FromQuery[Via]


class CheckOutForm(msgspec.Struct, frozen=True, kw_only=True):
    """What the check-out form sends."""

    minutes: Annotated[int, msgspec.Meta(ge=1, le=960)] | None = None


FormBody = Annotated[CheckOutForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


class LinkRefusedError(Exception):
    """The link is forged, altered, expired, or for something else."""


def holder_of(notify: Notify, token: str) -> LinkHolder:
    """The worker the link belongs to.

    Raises:
        LinkRefusedError: not a valid link.
    """
    try:
        return read_link_token(notify.jwt_key, token, now=notify.clock.now())
    except BadLinkError as error:
        raise LinkRefusedError(str(error)) from error


def page_context(token: str, lang: Lang, **extra: object) -> Mapping[str, Any]:
    """What every page template needs."""
    return {"lang": lang, "w": WORDS[lang], "base": f"/w/{token}", **extra}


def board_context(
    notify: Notify,
    token: str,
    holder: LinkHolder,
    lang: Lang,
    notices: Mapping[UUID, Markup] | None = None,
) -> Mapping[str, Any]:
    """The worker's offers and jobs: one card per job, in the section its state belongs to.

    `notices` puts a refusal's kind words on the card of the job it concerns.
    """
    now = notify.clock.now()
    board = notify.app.board
    cards = [j for j in board.jobs_of(holder.worker_id) if j.tenant == holder.tenant]
    offers = [
        card_view(c, now, lang)
        for c in board.offers_of(holder.worker_id)
        if not superseded(c, cards)
    ]
    jobs = [job_view(j, now, lang) | {"notice": (notices or {}).get(j.job_id, "")} for j in cards]
    return page_context(
        token,
        lang,
        open_offers=[o for o in offers if o["state"] in ("open", "accepted")],
        past_offers=[o for o in offers if o["state"] not in ("open", "accepted")][-10:],
        jobs=[j for j in jobs if j["section"] == "upcoming"],
        finished=[j for j in jobs if j["section"] == "finished"][::-1][:10],
        ended=[j for j in jobs if j["section"] == "ended"][-10:],
    )


def worker_page(
    notify: Notify,
    token: str,
    holder: LinkHolder,
    lang: Lang,
    *,
    notices: Mapping[UUID, Markup] | None = None,
    status_code: int = HTTP_200_OK,
) -> Template:
    """The whole page (its script allowed by a fresh nonce)."""
    nonce = new_nonce()
    return Template(
        "page.html.j2",
        context=dict(board_context(notify, token, holder, lang, notices)) | {"nonce": nonce},
        headers={"content-security-policy": page_policy(nonce)},
        status_code=status_code,
    )


REFUSED_STATUS = {
    Step.TOO_EARLY: HTTP_422_UNPROCESSABLE_ENTITY,
    Step.TOO_LATE: HTTP_422_UNPROCESSABLE_ENTITY,
    Step.ENDED: HTTP_409_CONFLICT,
}
"""A check-in or check-out that recorded nothing: the page again, with the reason on the card."""


def after_step(
    notify: Notify, token: str, holder: LinkHolder, lang: Lang, job_id: UUID, step: Step
) -> Response[Any]:
    """Back to the page (post/redirect/get), or the page with the refusal beside the job."""
    if step not in REFUSED_STATUS:
        return Redirect(f"/w/{token}?lang={lang}", status_code=HTTP_303_SEE_OTHER)
    notice = WORDS[lang][f"refused_{step.value}"]
    return worker_page(
        notify, token, holder, lang, notices={job_id: notice}, status_code=REFUSED_STATUS[step]
    )


class WorkerPageController(Controller):
    """`/w/<token>`: the worker's own page."""

    path = "/w/{token:str}"
    include_in_schema = True
    middleware = (WorkerPageHeaders,)

    @get("/", summary="The worker's page", media_type="text/html", sync_to_thread=False)
    def page(self, notify: NotifyDep, token: FromPath[str], lang: LangParam = None) -> Template:
        """Offers with their buttons, upcoming tasks with check-in and check-out."""
        return worker_page(notify, token, holder_of(notify, token), lang or "ja")

    @get("/board", summary="The page's live part", media_type="text/html", sync_to_thread=False)
    def board(self, notify: NotifyDep, token: FromPath[str], lang: LangParam = None) -> Template:
        """The offers and tasks alone, fetched by the page when an update arrives."""
        holder = holder_of(notify, token)
        return Template(
            "_board.html.j2", context=dict(board_context(notify, token, holder, lang or "ja"))
        )

    @get("/events", summary="Live updates (Server-Sent Events)", sync_to_thread=False)
    def events(self, notify: NotifyDep, hub: HubDep, token: FromPath[str]) -> ServerSentEvent:
        """One event per change to this worker's offers or tasks, and a heartbeat."""
        holder = holder_of(notify, token)
        return ServerSentEvent(hub.stream(holder.worker_id))

    @get(
        "/offers/{offer_id:uuid}",
        summary="One offer with its buttons",
        media_type="text/html",
        sync_to_thread=True,
    )
    def offer(
        self,
        notify: NotifyDep,
        token: FromPath[str],
        offer_id: FromPath[UUID],
        lang: LangParam = None,
        via: ViaParam = "web",
    ) -> Template:
        """The offer from a message's link; opening it counts as seen."""
        holder = holder_of(notify, token)
        found = notify.app.offer(offer_id, holder.tenant, holder.worker_id)
        found.mark_seen(via)
        notify.app.save(found)
        language: Lang = lang or "ja"
        view = aggregate_view(found, notify.clock.now(), language)
        return Template(
            "offer.html.j2",
            context=dict(page_context(token, language, o=view, via=via)),
        )

    @post(
        "/offers/{offer_id:uuid}/{answer:str}",
        summary="Answer an offer (accept or decline)",
        status_code=HTTP_303_SEE_OTHER,
    )
    async def answer(
        self,
        notify: NotifyDep,
        token: FromPath[str],
        offer_id: FromPath[UUID],
        answer: FromPath[Literal["accept", "decline"]],
        lang: LangParam = None,
        via: ViaParam = "web",
    ) -> Redirect:
        """Record the answer once and show the offer's state (taken, thanks …)."""
        holder = holder_of(notify, token)
        with within_flow(Flow(tenant=holder.tenant, correlation_id=new_correlation())):
            await run_sync(
                answer_offer,
                notify.app,
                offer_id,
                tenant=holder.tenant,
                worker_id=holder.worker_id,
                accept=answer == "accept",
                channel=via,
                now=notify.clock.now(),
            )
        return Redirect(
            f"/w/{token}/offers/{offer_id}?lang={lang or 'ja'}", status_code=HTTP_303_SEE_OTHER
        )

    @post("/jobs/{job_id:uuid}/check-in", summary="Check in", status_code=HTTP_303_SEE_OTHER)
    async def check_in(
        self,
        notify: NotifyDep,
        token: FromPath[str],
        job_id: FromPath[UUID],
        lang: LangParam = None,
    ) -> Response[Any]:
        """Record the start once, inside the shift's window; outside it, say kindly why not."""
        holder = holder_of(notify, token)
        with within_flow(Flow(tenant=holder.tenant, correlation_id=new_correlation())):
            step, _ = await run_sync(
                check_in,
                notify.app,
                job_id,
                tenant=holder.tenant,
                worker_id=holder.worker_id,
                channel="web",
                now=notify.clock.now(),
            )
        return after_step(notify, token, holder, lang or "ja", job_id, step)

    @post("/jobs/{job_id:uuid}/check-out", summary="Check out", status_code=HTTP_303_SEE_OTHER)
    async def check_out(
        self,
        notify: NotifyDep,
        token: FromPath[str],
        job_id: FromPath[UUID],
        data: FormBody,
        lang: LangParam = None,
    ) -> Response[Any]:
        """Record the finish once, with the minutes worked (not before the shift's start)."""
        holder = holder_of(notify, token)
        with within_flow(Flow(tenant=holder.tenant, correlation_id=new_correlation())):
            step, _ = await run_sync(
                check_out,
                notify.app,
                job_id,
                tenant=holder.tenant,
                worker_id=holder.worker_id,
                channel="web",
                now=notify.clock.now(),
                minutes=data.minutes,
            )
        return after_step(notify, token, holder, lang or "ja", job_id, step)
