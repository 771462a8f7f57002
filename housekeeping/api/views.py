"""Housekeeping API (seed 001 endpoints): thin views — parse, call one service, render.

Trader: POST strategies/{id}/reconcile-orders/, POST strategies/{id}/cleanup-orphaned-orders/,
GET strategies/{id}/orphaned-orders/, PUT strategies/{id}/settings/ (another trader's strategy: 404).
Staff only (others 403): POST admin/housekeeping/eod/, POST admin/housekeeping/reconcile-all/,
GET admin/housekeeping/logs/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms_project.lib.api.fields import refuse_body_fields
from oms_project.lib.api.schema import error_responses
from orders.api.serializers import StrategyOutputSerializer
from portfolio import selectors as portfolio_selectors
from portfolio import services as portfolio_services
from portfolio.domain import STRATEGY_PRESETS

from .. import jobs
from ..models import HousekeepingEvent, Mismatch
from ..services import orphans, reconciliation
from ..services.order_sync import POLLED, sync_account
from .serializers import (
    CleanupInputSerializer,
    EodInputSerializer,
    HousekeepingEventSerializer,
    JobOverviewSerializer,
    LogFilterSerializer,
    MismatchSerializer,
    OrphanedOrderSerializer,
    SnapshotFilterSerializer,
    SnapshotSerializer,
    ReconcileAllOutputSerializer,
    ReconcileOrdersOutputSerializer,
    StrategySettingsPutSerializer,
)


def actor_of(request: Request) -> str:
    prefix = getattr(request.auth, "prefix", None)
    return f"api_key:{prefix}" if prefix else f"user:{request.user.pk}"


class StrategyReconcileOrdersApi(APIView):
    @extend_schema(request=None, responses={200: ReconcileOrdersOutputSerializer, **error_responses({404: "Strategy not found"})})
    def post(self, request: Request, strategy_id: int) -> Response:
        """Bring the strategy's working orders up to the broker's state (its order book, read now) and sweep its
        orphaned exits by its settings."""
        refuse_body_fields(request)
        strategy = portfolio_selectors.strategy_get(user=request.user, strategy_id=strategy_id)
        from orders.models import Order

        ids = list(Order.objects.filter(strategy=strategy, status__in=POLLED, broker_order_id__isnull=False)
                   .values_list("pk", flat=True))  # fmt: skip
        updated, error = [], ""
        if ids:
            try:
                updated = sync_account(strategy.account, order_ids=ids)["updated"]
            except Exception as exc:  # noqa: BLE001 - the broker's failure is part of the answer
                error = f"{type(exc).__name__}: {exc}"
        swept = orphans.orphans_sweep(strategy_id=strategy.pk, user=request.user)
        return Response(ReconcileOrdersOutputSerializer({
            "strategy_id": strategy.pk, "checked_orders": len(ids), "updated": updated, "orphans": swept, "error": error,
        }).data)  # fmt: skip


class StrategyCleanupOrphansApi(APIView):
    @extend_schema(request=CleanupInputSerializer,
                   responses={200: HousekeepingEventSerializer, **error_responses({404: "Strategy not found",
                                                                                   409: "The sweep is running"})})  # fmt: skip
    def post(self, request: Request, strategy_id: int) -> Response:
        """Run the orphaned-orders cleanup for this strategy now (its settings decide; `include_kept` cancels the
        ones they keep too). Answers the run's log entry."""
        data = CleanupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        strategy = portfolio_selectors.strategy_get(user=request.user, strategy_id=strategy_id)
        event = jobs.job_run("orphaned_orders", trigger=HousekeepingEvent.Trigger.MANUAL, actor=actor_of(request),
                             strategy_id=strategy.pk, cancel_kept=data.validated_data["include_kept"])  # fmt: skip
        return Response(HousekeepingEventSerializer(event).data)


class StrategyOrphansApi(APIView):
    @extend_schema(responses={200: OrphanedOrderSerializer(many=True), **error_responses({404: "Strategy not found"})})
    def get(self, request: Request, strategy_id: int) -> Response:
        """The strategy's orphaned orders kept by choice (flagged `is_orphaned`, with `orphaned_reason`)."""
        strategy = portfolio_selectors.strategy_get(user=request.user, strategy_id=strategy_id)
        rows = orphans.orphans_list(user=request.user, strategy_id=strategy.pk)
        return Response(OrphanedOrderSerializer(rows, many=True).data)


class StrategySettingsApi(APIView):
    @extend_schema(request=StrategySettingsPutSerializer,
                   responses={200: StrategyOutputSerializer, **error_responses({404: "Strategy not found"})})  # fmt: skip
    def put(self, request: Request, strategy_id: int) -> Response:
        """Set the strategy's settings (seed 001: housekeeping, execution, margin, risk), optionally from a preset
        first. Fields not given keep their value (or the preset's)."""
        data = StrategySettingsPutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        preset = values.pop("preset", None)
        portfolio_selectors.strategy_get(user=request.user, strategy_id=strategy_id)
        fields = {**(STRATEGY_PRESETS[preset] if preset else {}), **values}
        if preset:
            fields["preset"] = preset
        strategy = portfolio_services.strategy_update(user=request.user, strategy_id=strategy_id, **fields)
        if preset:
            from portfolio.models import Strategy

            Strategy.objects.filter(pk=strategy.pk).update(preset=preset)
            strategy.refresh_from_db()
        return Response(StrategyOutputSerializer(strategy).data)


class AdminEodApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(request=EodInputSerializer,
                   responses={200: HousekeepingEventSerializer, **error_responses({403: "Staff only", 409: "Running"})})
    def post(self, request: Request) -> Response:
        """Run the end-of-day reconciliation now (every account; the day's report is replaced)."""
        EodInputSerializer(data=request.data).is_valid(raise_exception=True)
        event = jobs.job_run("eod_reconciliation", trigger=HousekeepingEvent.Trigger.MANUAL, actor=actor_of(request))
        return Response(HousekeepingEventSerializer(event).data)


class AdminReconcileAllApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={200: ReconcileAllOutputSerializer, **error_responses({403: "Staff only"})})
    def post(self, request: Request) -> Response:
        """Reconcile every active account with its broker now: what each account answered and every open
        difference with both sides (also logged as a data_reconciliation run)."""
        refuse_body_fields(request)
        results: list = []
        jobs.job_run("data_reconciliation", trigger=HousekeepingEvent.Trigger.MANUAL, actor=actor_of(request),
                     collect=results)  # fmt: skip
        open_rows = Mismatch.objects.filter(state=Mismatch.State.OPEN).order_by("account_id", "id")
        return Response(ReconcileAllOutputSerializer({"accounts": [r.__dict__ for r in results],
                                                      "mismatches": open_rows}).data)  # fmt: skip


class AdminLogsApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(parameters=[LogFilterSerializer],
                   responses={200: HousekeepingEventSerializer(many=True), **error_responses({403: "Staff only"})})
    def get(self, request: Request) -> Response:
        """The housekeeping log (newest first, up to 200): every job run and ops action."""
        f = LogFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        from ..selectors import events_log

        rows = events_log(job=f.validated_data.get("job"), status=f.validated_data.get("status"))
        return Response(HousekeepingEventSerializer(rows, many=True).data)


class MismatchListApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses={200: MismatchSerializer(many=True), **error_responses({403: "Staff only"})})
    def get(self, request: Request) -> Response:
        """Open reconciliation differences (both sides)."""
        return Response(MismatchSerializer(reconciliation.mismatches_list(), many=True).data)


class MismatchAdoptApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={200: MismatchSerializer, **error_responses(
        {403: "Staff only", 404: "Mismatch not found", 409: "Not open, or not resolvable by adoption"})})  # fmt: skip
    def post(self, request: Request, mismatch_id: int) -> Response:
        """Resolve one difference by adopting the broker's state (audited)."""
        refuse_body_fields(request)
        m = reconciliation.mismatch_adopt(mismatch_id=mismatch_id, actor=actor_of(request))
        return Response(MismatchSerializer(m).data)


class AdminJobsApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses={200: JobOverviewSerializer(many=True), **error_responses({403: "Staff only"})})
    def get(self, request: Request) -> Response:
        """Every job: schedule, last run and its outcome, next run."""
        from ..selectors import jobs_overview

        rows = [{**r, "last_run": r["last_run"]} for r in jobs_overview()]
        return Response(JobOverviewSerializer(rows, many=True).data)


class AdminJobRunApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={200: HousekeepingEventSerializer, **error_responses(
        {403: "Staff only", 404: "No such job", 409: "The job is running"})})  # fmt: skip
    def post(self, request: Request, name: str) -> Response:
        """Run one job now (whatever the day: a manual run ignores the trading calendar). Answers its log entry."""
        refuse_body_fields(request)
        event = jobs.job_run(name, trigger=HousekeepingEvent.Trigger.MANUAL, actor=actor_of(request))
        return Response(HousekeepingEventSerializer(event).data)


class StrategySnapshotsApi(APIView):
    @extend_schema(parameters=[SnapshotFilterSerializer],
                   responses={200: SnapshotSerializer(many=True), **error_responses({404: "Strategy not found"})})
    def get(self, request: Request, strategy_id: int) -> Response:
        """The strategy's 5-minute P&L snapshots of one IST day (default today): the intraday M2M chart."""
        from django.utils import timezone

        from ..services.snapshots import snapshots_for

        f = SnapshotFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        strategy = portfolio_selectors.strategy_get(user=request.user, strategy_id=strategy_id)
        day = f.validated_data.get("date") or timezone.localdate()
        return Response(SnapshotSerializer(snapshots_for(user=request.user, strategy_id=strategy.pk, day=day),
                                           many=True).data)  # fmt: skip
