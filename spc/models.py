from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from measures.models import MONDAY_MESSAGE, Measure, Programme
from wards.models import Ward


class ChartType(models.TextChoices):
    AUTO = "auto", "Automatic: chosen from how many incidents the baseline expects"
    U = "u", "u chart: rate per 1,000 occupied bed days"
    C = "c", "c chart: count per period"
    RUN = "run", "Run chart: the rate and its median, without control limits"
    XMR = "i", "XmR chart of the rate (i chart)"
    UP = "up", "Laney u′ chart (over-dispersed rates)"
    G = "g", "g chart: occupied bed days between incidents (needs incident dates)"
    T = "t", "t chart: days between incidents (needs incident dates; no two on one day)"


class Period(models.TextChoices):
    AUTO = "auto", "Automatic"
    WEEK = "week", "Weekly"
    FOUR_WEEK = "4week", "4-weekly (13 a year)"
    MONTH = "month", "Calendar month"


class ChartSetting(models.Model):
    """How one ward's chart of one measure is drawn; a QI lead edits it, with history."""

    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="chart_settings")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    chart_type = models.CharField(max_length=10, choices=ChartType.choices, default=ChartType.AUTO)
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.AUTO)
    baseline_start = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "Monday of the first baseline week; the chart starts here. "
            "Blank: the week the ward joined."
        ),
    )
    baseline_weeks = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Blank: the default, MHSIP_DEFAULT_BASELINE_WEEKS (20 unless configured).",
    )
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The target that applies. Blank: the programme with the latest deadline.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ward", "measure"], name="one_setting_per_chart"),
            models.CheckConstraint(
                condition=Q(baseline_start__isnull=True) | Q(baseline_start__iso_week_day=1),
                name="setting_baseline_starts_monday",
                violation_error_message=MONDAY_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(baseline_weeks__isnull=True) | Q(baseline_weeks__gte=2),
                name="setting_baseline_at_least_two_weeks",
                violation_error_message="A baseline needs at least 2 weeks.",
            ),
        ]

    def __str__(self):
        return f"{self.measure} on {self.ward.name}"


class PhaseBreak(models.Model):
    """A rebase: from this week the chart starts a new phase with its own centre and limits."""

    setting = models.ForeignKey(ChartSetting, on_delete=models.CASCADE, related_name="breaks")
    starts_on = models.DateField(help_text="Monday of the first week of the new phase.")
    reason = models.CharField(max_length=200, help_text="e.g. new seclusion policy from 4 Sep")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["setting", "starts_on"], name="one_break_per_week"),
            models.CheckConstraint(
                condition=Q(starts_on__iso_week_day=1),
                name="break_starts_monday",
                violation_error_message=MONDAY_MESSAGE,
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="break_has_reason",
                violation_error_message="Say why the process changed (a rebase needs a reason).",
            ),
        ]

    def __str__(self):
        return f"{self.starts_on:%d %b %Y}: {self.reason}"


class Scope(models.TextChoices):
    WARD = "ward", "Ward"
    TRUST = "trust", "Trust"
    REGION = "region", "Region"
    NATIONAL = "national", "National"


class StoredChart(models.Model):
    """One (scope, measure) chart as pages read it: its summary in columns (icons, rates,
    chosen chart: the matrix and region pages read only these) and its views
    (`StoredView`: the chosen chart and the weekly, 4-weekly and monthly views). Not
    `spc.engine.ChartResult`, the engine's in-memory result they are made from.

    A data change bumps `dirty_version` in its own transaction; a recompute reads the version
    *before* it reads the data and stores it as `computed_version`. So a chart is stale
    exactly when `dirty_version > computed_version`, a change that lands mid-recompute leaves
    it stale, and a lost enqueue (Redis down) is found by the periodic staleness check."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not computed yet"
        OK = "ok", "Computed"
        INSUFFICIENT = "insufficient", "Too little data for a chart yet"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    scope_id = models.PositiveBigIntegerField(help_text="Ward, trust or region id; 0 = national.")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True, help_text="Why there is no chart yet, in a sentence.")
    # The chosen view's summary (spc.stored.ViewSummary), for pages that show no points.
    chart = models.CharField(max_length=4, blank=True)
    period = models.CharField(max_length=6, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    recent_value = models.FloatField(null=True, blank=True)
    baseline_centre = models.FloatField(null=True, blank=True)
    percent_change = models.FloatField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    variation_icon = models.CharField(max_length=20, blank=True)
    assurance_icon = models.CharField(max_length=20, blank=True)
    store_version = models.PositiveSmallIntegerField(default=0)
    input_hash = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    dirty_version = models.PositiveBigIntegerField(default=1)
    computed_version = models.PositiveBigIntegerField(default=0)
    stale_since = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the last recompute failed, for admins.")
    error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "measure"], name="one_result_per_chart"
            ),
        ]

    def __str__(self):
        return f"{self.scope} {self.scope_id} {self.measure.code}"

    @property
    def is_stale(self) -> bool:
        return self.dirty_version > self.computed_version


class StoredView(models.Model):
    """One view of a stored chart: its points and summary as `spc.stored` writes them (the
    only module that reads `payload`).

    `payload` is compact JSON *text*, not a JSON column: the database never looks inside it,
    and PostgreSQL's jsonb parses every payload on write and renders it back to text on read
    (COPY of 1,000 views: 0.5-1.6 s as jsonb, 0.1-0.17 s as text; bench/recompute_profile.py)."""

    chart = models.ForeignKey(StoredChart, on_delete=models.CASCADE, related_name="views")
    view = models.CharField(max_length=10, help_text="chosen, week, 4week or month")
    payload = models.TextField(help_text="Compact JSON written and read by spc.stored.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chart", "view"], name="one_stored_view_per_chart"),
        ]

    def __str__(self):
        return f"{self.chart} ({self.view})"
