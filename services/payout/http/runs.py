"""Payout runs: close a period, download its 全銀 files, record the bank's answers."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backbone.auth import Role, requires
from backbone.threads import run_sync
from backbone.web import UPLOAD
from payout.commands.bank_files import run_bank_files, run_summary_csv
from payout.commands.close_payout_run import close_payout_run
from payout.commands.read_result_file import read_result_file
from payout.commands.settle_payout import Answer, run_of, settle
from payout.domain.errors import NotFoundError
from payout.domain.run import PayoutRun
from payout.http.context import AnyRequest, PayoutDep, caller, flow_of, today

ACCOUNTANT = requires(Role.ACCOUNTANT)
READERS = requires(Role.ACCOUNTANT, Role.AUDITOR)
PeriodText = Annotated[str, msgspec.Meta(pattern=r"^2[01]\d{2}-(0[1-9]|1[0-2])$")]


class CloseRun(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The period to close (月末締め)."""

    period: PeriodText


class LineView(msgspec.Struct, frozen=True, kw_only=True):
    """One transfer of a run."""

    line: int
    file: int
    worker_id: UUID
    amount_yen: int
    rewards: int
    status: str
    """pending, paid or failed."""
    reason: str


class SkippedView(msgspec.Struct, frozen=True, kw_only=True):
    """A worker owed money the run could not transfer (no bank account …)."""

    worker_id: UUID
    amount_yen: int
    reason: str


class RunView(msgspec.Struct, frozen=True, kw_only=True):
    """A closed run."""

    id: UUID
    period: str
    period_start: date
    period_end: date
    pay_on: date
    files: int
    total_yen: int
    withholding_yen: int
    reward_count: int
    lines: list[LineView]
    skipped: list[SkippedView]
    newly_closed: bool


class Confirmation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The bank's answer for one line."""

    ok: bool
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class Settled(msgspec.Struct, frozen=True, kw_only=True):
    """How many lines the answers changed."""

    changed: int


def run_view(run: PayoutRun, *, newly_closed: bool) -> RunView:
    """Render a run."""
    lines = []
    for line in run.lines:
        settled = run.settled.get(int(line["line"]))
        lines.append(
            LineView(
                line=int(line["line"]),
                file=int(line["file"]),
                worker_id=UUID(str(line["worker_id"])),
                amount_yen=int(line["amount"]),
                rewards=len(line["reward_ids"]),
                status="pending" if settled is None else "paid" if settled[0] else "failed",
                reason=settled[1] if settled else "",
            )
        )
    return RunView(
        id=run.id,
        period=run.period,
        period_start=run.period_start,
        period_end=run.period_end,
        pay_on=run.pay_on,
        files=max((line.file for line in lines), default=0),
        total_yen=run.total,
        withholding_yen=run.withholding,
        reward_count=run.reward_count,
        lines=lines,
        skipped=[
            SkippedView(
                worker_id=UUID(str(s["worker_id"])),
                amount_yen=int(s["amount"]),
                reason=str(s["reason"]),
            )
            for s in run.skipped
        ],
        newly_closed=newly_closed,
    )


class RunsController(Controller):
    """`/runs`: monthly payout runs."""

    path = "/runs"

    @post(
        "/",
        guards=[ACCOUNTANT],
        sync_to_thread=True,
        summary="Close a period (月末締め); closing it again returns the same run",
        responses={200: ResponseSpec(RunView, description="Closed before: the same run")},
    )
    def close(
        self, request: AnyRequest, payout: PayoutDep, data: JSONBody[CloseRun]
    ) -> Response[RunView]:
        """201 with the new run, or 200 with the run closed before (nothing paid twice)."""
        with flow_of(request) as principal:
            run, new = close_payout_run(
                payout.app, data.period, tenant=principal.tenant, today=today(payout)
            )
        return Response(
            run_view(run, newly_closed=new), status_code=HTTP_201_CREATED if new else HTTP_200_OK
        )

    @get("/{period:str}", guards=[READERS], sync_to_thread=True, summary="One run")
    def one(self, request: AnyRequest, payout: PayoutDep, period: FromPath[PeriodText]) -> RunView:
        """Its lines and the bank's answers so far."""
        return run_view(run_of(payout.app, period, caller(request).tenant), newly_closed=False)

    @get(
        "/{period:str}/files/{number:int}",
        guards=[ACCOUNTANT],
        sync_to_thread=True,
        summary="A 全銀 総合振込 file of the run",
        media_type="application/octet-stream",
    )
    def file(
        self,
        request: AnyRequest,
        payout: PayoutDep,
        period: FromPath[PeriodText],
        number: FromPath[int],
    ) -> Response[bytes]:
        """120-byte records in JIS (cp932), for the bank's upload."""
        files = run_bank_files(
            payout.app,
            period,
            tenant=caller(request).tenant,
            remitter=payout.remitter,
            line_ending=payout.settings.line_ending,
        )
        if not 1 <= number <= len(files):
            msg = f"run {period} has {len(files)} file(s)"
            raise NotFoundError(msg)
        return Response(
            files[number - 1],
            media_type="application/octet-stream",
            headers={"content-disposition": f'attachment; filename="zengin-{period}-{number}.txt"'},
        )

    @get(
        "/{period:str}/summary.csv",
        guards=[READERS],
        sync_to_thread=True,
        summary="The run's CSV summary",
        media_type="text/csv",
    )
    def summary(
        self, request: AnyRequest, payout: PayoutDep, period: FromPath[PeriodText]
    ) -> Response[str]:
        """One row per line (and per skipped worker)."""
        text = run_summary_csv(payout.app, period, tenant=caller(request).tenant)
        return Response(text, media_type="text/csv; charset=utf-8")

    @post(
        "/{period:str}/lines/{line:int}/confirmation",
        guards=[ACCOUNTANT],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Record the bank's answer for one line",
    )
    def confirm(
        self,
        request: AnyRequest,
        payout: PayoutDep,
        period: FromPath[PeriodText],
        line: FromPath[int],
        data: JSONBody[Confirmation],
    ) -> Settled:
        """Paid → RewardPaid per reward; failed → PayoutFailed, carried into the next run."""
        with flow_of(request) as principal:
            changed = settle(
                payout.app,
                period,
                [Answer(line=line, ok=data.ok, reason=data.reason)],
                tenant=principal.tenant,
            )
        return Settled(changed=changed)

    @post(
        "/{period:str}/results",
        guards=[ACCOUNTANT],
        status_code=HTTP_200_OK,
        summary="Import the bank's result file (CSV: line,code[,text]; UTF-8 or Shift_JIS)",
        opt={UPLOAD: True},
        request_max_body_size=None,  # BodyLimitMiddleware holds it to the upload limit
    )
    async def results(
        self, request: AnyRequest, payout: PayoutDep, period: FromPath[PeriodText]
    ) -> Settled:
        """Code 0 is paid; any other 全銀 result code is a failure with that reason.

        A file that does not read (not text, a line without a transfer number or result
        code, no answer, a transfer the run does not have) is a 422 naming the file's line;
        nothing is recorded.
        """
        answers = read_result_file(await request.body())
        with flow_of(request) as principal:
            changed = await run_sync(settle, payout.app, period, answers, tenant=principal.tenant)
        return Settled(changed=changed)
