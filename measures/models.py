import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mhsip.weeks import MONDAY_MESSAGE
from wards.models import Ward

from . import pdsa_rules, rules
from .rules import BED_DAYS_MESSAGE


class Measure(models.Model):
    """One entry of the measure catalogue, with its operational definition."""

    class Domain(models.TextChoices):
        RESTRICTIVE_PRACTICE = "restrictive_practice", "Restrictive practice"
        SELF_HARM_SUICIDE = "self_harm_suicide", "Self-harm & suicide"
        SEXUAL_SAFETY = "sexual_safety", "Sexual safety"

    class Kind(models.TextChoices):
        OUTCOME = "outcome", "Outcome measure"
        PROCESS = "process", "Process measure"
        BALANCING = "balancing", "Balancing measure"

    class Improvement(models.TextChoices):
        DECREASE = "decrease", "A decrease is an improvement"
        INCREASE = "increase", "An increase is an improvement"
        NEUTRAL = "neutral", "Neither direction is an improvement"

    class ValueType(models.TextChoices):
        # What one week's figure is and how it is charted (spc/specs.py): see README.
        COUNT = "count", "Count (charted per 1,000 occupied bed days)"
        PROPORTION = "proportion", "Proportion (numerator of denominator, p chart)"
        DURATION = "duration", "Duration (hours or days, per 1,000 occupied bed days)"
        SCORE = "score", "Mean score (XmR chart)"
        COMPOSITE = "composite", "Sum of other counts (worked out, never entered)"

    class DurationUnit(models.TextChoices):
        HOURS = "hours", "hours"
        DAYS = "days", "days"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    domain = models.CharField(max_length=30, choices=Domain.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OUTCOME)
    improvement = models.CharField(
        max_length=10, choices=Improvement.choices, default=Improvement.DECREASE
    )
    unit = models.CharField(max_length=60, help_text="What one is: 'restraint episodes'.")
    definition = models.TextField(help_text="The operational definition: what one count is.")
    includes = models.TextField(blank=True, help_text="What counts.")
    excludes = models.TextField(blank=True, help_text="What does not count.")
    mhsds_codes = models.JSONField(
        "MHSDS restrictive intervention types",
        default=list,
        blank=True,
        help_text="The MHSDS restrictive intervention type codes this measure counts, "
        "as NHS Digital's restrictive intervention statistics code them.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_measures",
        help_text="A sub-measure never counts more than its parent in the same week.",
    )
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    value_type = models.CharField(
        max_length=12, choices=ValueType.choices, default=ValueType.COUNT,
        help_text="What a week's figure is: a count, a proportion, a duration, a mean score, "
        "or a composite (the sum of other counts).",
    )  # fmt: skip
    duration_unit = models.CharField(
        max_length=5, choices=DurationUnit.choices, blank=True,
        help_text="Durations only: the unit entered each week.",
    )  # fmt: skip
    score_min = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True,
                                    help_text="Scores only: the lowest score possible.")
    score_max = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True,
                                    help_text="Scores only: the highest score possible.")
    numerator_label = models.CharField(
        max_length=80, blank=True, help_text="Proportions only: what the numerator counts."
    )
    denominator_label = models.CharField(
        max_length=80, blank=True, help_text="Proportions only: what the denominator counts."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(value_type="duration") | Q(duration_unit__in=["hours", "days"]),
                name="measure_duration_has_unit",
                violation_error_message="A duration measure needs its unit: hours or days.",
            ),
            models.CheckConstraint(
                condition=~Q(value_type="score")
                | Q(score_min__isnull=False, score_max__isnull=False, score_min__lt=F("score_max")),
                name="measure_score_has_range",
                violation_error_message="A score measure needs a lowest score below its highest.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_entered(self) -> bool:
        """Whether a week's figure is typed in (a composite is worked out from its parts)."""
        return self.value_type != self.ValueType.COMPOSITE

    def clean(self):
        errors = rules.measure_definition_errors(self)
        if self.pk and self.value_type != self.ValueType.COMPOSITE and self.parts.exists():
            errors["value_type"] = "This measure has parts, so it is a composite: remove its " \
                "parts first."  # fmt: skip
        if errors:
            raise ValidationError(errors)


class Programme(models.Model):
    """An improvement aim with a reduction target and deadline, e.g. 50% by 31 March 2024."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    reduction_percent = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, "A reduction target must be at least 1%."),
            MaxValueValidator(100, "A reduction target cannot be more than 100%."),
        ],
        help_text="Reduction on each ward's baseline, in per cent. Blank: no numeric target.",
    )
    deadline = models.DateField()
    measures = models.ManyToManyField(Measure, related_name="programmes")
    wards = models.ManyToManyField(Ward, through="Enrolment", related_name="programmes")
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reduction_percent__isnull=True)
                | Q(reduction_percent__gte=1, reduction_percent__lte=100),
                name="programme_reduction_percent_range",
                violation_error_message="A reduction target is between 1% and 100%.",
            ),
        ]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="enrolments")
    joined_on = models.DateField(help_text="The Monday of the first week the ward reports.")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "ward"], name="one_enrolment_per_ward"),
            models.CheckConstraint(
                condition=Q(joined_on__iso_week_day=1),
                name="enrolment_joined_on_monday",
                violation_error_message=MONDAY_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.ward} in {self.programme} from {self.joined_on:%d %b %Y}"


class WeeklyReturn(models.Model):
    """One ward's return for one week. Its counts are `WeeklyCount` rows: a measure with no
    row is *missing* for that week, which is never the same as a recorded zero."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="returns")
    week_start = models.DateField(help_text="The Monday the week starts on.")
    beds = models.PositiveSmallIntegerField(
        "beds open",
        validators=[MinValueValidator(1, "Beds open must be at least 1.")],
        help_text="Beds open that week; bounds the occupied bed days.",
    )
    occupied_bed_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank until known; the denominator of every rate."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The codes of the measures the ward said it did not collect this week: missing (no
    # count), but a deliberate answer, so the return can be submitted (measures.rules).
    not_collected = models.JSONField(
        "not collected this week", default=list, db_default=[], blank=True,
        help_text="Codes of the measures not collected this week (no count: missing).",
    )  # fmt: skip
    # Optimistic locking: a save names the version it was read at and fails if it moved on.
    version = models.PositiveIntegerField(default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["ward", "-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "week_start"],
                name="one_return_per_ward_week",
                violation_error_message="This ward already has a return for this week.",
            ),
            models.CheckConstraint(
                condition=Q(week_start__iso_week_day=1),
                name="return_week_starts_monday",
                violation_error_message=MONDAY_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(beds__gte=1),
                name="return_beds_positive",
                violation_error_message="Beds open must be at least 1.",
            ),
            models.CheckConstraint(
                condition=Q(occupied_bed_days__isnull=True)
                | Q(occupied_bed_days__gte=0, occupied_bed_days__lte=F("beds") * 7),
                name="return_bed_days_within_capacity",
                violation_error_message=BED_DAYS_MESSAGE,
            ),
        ]
        indexes = [models.Index(fields=["week_start"])]

    def __str__(self):
        return f"{self.ward.name}, w/c {self.week_start:%d %b %Y}"

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)

    def clean(self):
        # The admin's form and the services' full_clean(): the rules of measures/rules.py.
        errors = {}
        if self.week_start and self.ward_id:
            errors |= rules.week_errors(
                ward=self.ward, week_start=self.week_start, today=timezone.localdate()
            )
        if self.beds and self.occupied_bed_days is not None:
            errors |= {
                k: v
                for k, v in rules.cross_field_errors(
                    beds=self.beds, occupied_bed_days=self.occupied_bed_days,
                    status=rules.DRAFT, counts={}, measures={},
                ).items()  # fmt: skip
                if k == "occupied_bed_days"
            }
        if errors:
            raise ValidationError(errors)


class WeeklyCount(models.Model):
    weekly_return = models.ForeignKey(WeeklyReturn, on_delete=models.CASCADE, related_name="counts")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="counts")
    count = models.PositiveIntegerField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["weekly_return", "measure"],
                name="one_count_per_return_measure",
                violation_error_message="This return already has a count for this measure.",
            ),
            models.CheckConstraint(
                condition=Q(count__gte=0),
                name="count_not_negative",
                violation_error_message="A count cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.measure.code}={self.count}"


class IncidentDate(models.Model):
    """The day one counted incident happened (optional: a count may have no dates). Day only:
    never a time, a name or anything else about a person. A count's dates are complete when
    there are as many as its count; t and g charts (time or bed days between incidents) need
    complete dates."""

    count = models.ForeignKey(WeeklyCount, on_delete=models.CASCADE, related_name="dates")
    occurred_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["count", "occurred_on", "pk"]
        indexes = [models.Index(fields=["count", "occurred_on"])]

    def __str__(self):
        return f"{self.count.measure.code} on {self.occurred_on:%d %b %Y}"


NOTES_MAX_LENGTH = 2_000  # pdsa_rules.MAX_TEXT, the forms' and rules' limit


class ChangeIdea(models.Model):
    """A change idea tested on a ward in one or more PDSA cycles (`PdsaCycle`), drawn as dated
    markers on the charts of the measures it targets (and only those).

    Free text here is about the change, never about a person. Its stage is its latest
    cycle's (measures/pdsa_rules.py)."""

    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="change_ideas")
    title = models.CharField(max_length=120)
    started_on = models.DateField()
    driver_area = models.CharField(
        "driver diagram area", max_length=120, blank=True, help_text="e.g. Safewards, huddles"
    )
    # A limit, as for every text field (form = API = database): notes are a few sentences.
    notes = models.CharField(max_length=NOTES_MAX_LENGTH, blank=True)
    measures = models.ManyToManyField(
        Measure, related_name="change_ideas", blank=True,
        help_text="The measures it aims to improve: it is drawn on their charts only.",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[measures])

    class Meta:
        ordering = ["ward", "started_on"]

    def __str__(self):
        return f"{self.title} ({self.ward.name}, from {self.started_on:%d %b %Y})"

    @property
    def latest_cycle(self):
        """Its last cycle (from the prefetched cycles when there are: list pages)."""
        cycles = list(self.cycles.all())
        return cycles[-1] if cycles else None

    @property
    def stage(self) -> str:
        cycle = self.latest_cycle
        return cycle.stage if cycle else pdsa_rules.PLAN

    @property
    def stage_label(self) -> str:
        cycle = self.latest_cycle
        return cycle.stage_label if cycle else pdsa_rules.STAGE_LABELS[pdsa_rules.PLAN]


# Django finds an app's models in its models module: the PDSA cycle, the weekly figures,
# programme targets and local measures, deleted returns and file imports live in modules of
# their own (this one would pass 400 lines) and are imported here.
from .models_deletion import DeletedReturn  # noqa: E402
from .models_imports import ReturnImport  # noqa: E402
from .models_pdsa import PdsaCycle  # noqa: E402
from .models_targets import LocalMeasure, ProgrammeTarget  # noqa: E402
from .models_values import CompositePart, WeeklyValue  # noqa: E402

__all__ = [
    "ChangeIdea", "CompositePart", "DeletedReturn", "Enrolment", "IncidentDate", "LocalMeasure",
    "Measure", "PdsaCycle", "Programme", "ProgrammeTarget", "ReturnImport", "WeeklyCount",
    "WeeklyReturn", "WeeklyValue",
]  # fmt: skip
