"""A programme's target on a measure, and a trust's local measures (imported by
measures/models.py, where Django finds them)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from wards.models import Ward

from . import targets


class ProgrammeTarget(models.Model):
    """What a programme aims for on one of its measures: the direction of improvement, the
    target (none, reduce or increase by r% of the baseline, a fixed value, or a stepped
    trajectory of dated values) and its deadline. The rules are `measures.targets`."""

    class Direction(models.TextChoices):
        DECREASE = targets.DECREASE, "Decrease: a fall is an improvement"
        INCREASE = targets.INCREASE, "Increase: a rise is an improvement"
        REPORTING = targets.REPORTING, (
            "Reporting: no good direction (more reports can mean better reporting)"
        )

    class Kind(models.TextChoices):
        NONE = targets.NONE, "No numeric target"
        REDUCE = targets.REDUCE, "Reduce by a percentage of the baseline"
        INCREASE = targets.RAISE, "Increase by a percentage of the baseline"
        VALUE = targets.VALUE, "A fixed value"
        TRAJECTORY = targets.TRAJECTORY, "A stepped trajectory of dated values"

    programme = models.ForeignKey(
        "measures.Programme", on_delete=models.CASCADE, related_name="targets"
    )
    measure = models.ForeignKey(
        "measures.Measure", on_delete=models.CASCADE, related_name="targets"
    )
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.DECREASE
    )
    kind = models.CharField("target", max_length=12, choices=Kind.choices, default=Kind.NONE)
    percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a reduce or increase target: r in 'by r%'."
    )
    value = models.FloatField(
        null=True, blank=True, help_text="For a fixed-value target, in the chart's unit."
    )
    steps = models.JSONField(
        default=list, blank=True,
        help_text="For a trajectory: [date, value] steps in date order; from each step's "
        "date its value is the target.",
    )  # fmt: skip
    deadline = models.DateField()
    against_direction_confirmed = models.BooleanField(
        "Confirm a target against the direction",
        default=False,
        help_text="Tick to keep a target that pulls against the measure's direction "
        "(an increase target on a measure where a decrease is an improvement).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "measure__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "measure"],
                name="one_target_per_programme_measure",
                violation_error_message="This programme already has a target for this measure.",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True)
                | Q(percent__gte=1, percent__lte=targets.MAX_INCREASE_PERCENT),
                name="target_percent_range",
                violation_error_message="A target's percentage is between 1 and 1000.",
            ),
        ]

    def __str__(self):
        return f"{self.measure} in {self.programme}"

    def typed_steps(self) -> list[tuple[datetime.date, float]]:
        return targets.steps_from_json(self.steps)[0]

    def clean(self):
        steps, malformed = targets.steps_from_json(self.steps)
        errors = targets.target_errors(
            direction=self.direction, kind=self.kind, percent=self.percent, value=self.value,
            steps=steps, deadline=self.deadline, confirmed=self.against_direction_confirmed,
        )  # fmt: skip
        if malformed:
            errors["steps"] = " ".join(malformed)
        if errors:
            raise ValidationError(errors)


# A target rule's field (measures.targets) as LocalMeasure names it; "direction" is the
# measure's own, so its error is the target's.
TARGET_FIELD_OF_RULE = {"kind": "target_kind", "percent": "target_percent",
                        "value": "target_value", "deadline": "target_deadline"}  # fmt: skip


class LocalMeasure(models.Model):
    """A measure one trust's QI team defined for its own wards: charted on those wards and
    the trust, labelled "Local measure", never summed into region or national charts. Retired
    softly: the measure, its counts and charts stay; it leaves the weekly form."""

    measure = models.OneToOneField(
        "measures.Measure", on_delete=models.CASCADE, primary_key=True, related_name="local"
    )
    trust = models.ForeignKey("wards.Trust", on_delete=models.PROTECT,
                              related_name="local_measures")  # fmt: skip
    wards = models.ManyToManyField(Ward, blank=True, related_name="local_measures")
    retired_on = models.DateField(null=True, blank=True)
    # The trust's own target on its measure, as a programme's (rules: measures.targets), with
    # no trajectory: reduce or increase by r% of the baseline, or a fixed value, by a deadline.
    target_kind = models.CharField("target", max_length=12, default=targets.NONE, choices=[
        (kind, label) for kind, label in ProgrammeTarget.Kind.choices
        if kind != targets.TRAJECTORY])  # fmt: skip
    target_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_deadline = models.DateField(null=True, blank=True)
    target_against_direction_confirmed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[wards])

    class Meta:
        ordering = ["trust", "measure__name"]

    def __str__(self):
        return f"{self.measure} (local measure of {self.trust})"

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None

    @property
    def has_target(self) -> bool:
        return self.target_kind != targets.NONE

    def target_errors(self, improvement: str | None = None) -> dict[str, str]:
        """The rules of a programme's target (measures.targets) on the trust's own, keyed by
        this model's fields; `improvement`: the measure's direction (a form's, before it is
        saved; else the measure's own). No target: nothing to check."""
        if not self.has_target:
            return {}
        errors = targets.target_errors(
            direction=targets.DIRECTION_OF_IMPROVEMENT[improvement or self.measure.improvement],
            kind=self.target_kind, percent=self.target_percent, value=self.target_value,
            steps=[], deadline=self.target_deadline,
            confirmed=self.target_against_direction_confirmed,
        )  # fmt: skip
        return {TARGET_FIELD_OF_RULE.get(rule, "target_kind"): message
                for rule, message in errors.items()}  # fmt: skip

    def clear_unused_target(self) -> None:
        """No target keeps no stray numbers."""
        self.target_kind = self.target_kind or targets.NONE
        if not self.has_target:
            self.target_percent = self.target_value = self.target_deadline = None
            self.target_against_direction_confirmed = False

    def clean(self):
        self.clear_unused_target()
        if errors := self.target_errors():
            raise ValidationError(errors)

    @property
    def target_text(self) -> str:
        """The target in words for the trust's list of its local measures."""
        if self.target_kind == targets.REDUCE:
            amount = f"Reduce by {self.target_percent}%"
        elif self.target_kind == targets.RAISE:
            amount = f"Increase by {self.target_percent}%"
        elif self.target_kind == targets.VALUE:
            amount = f"A value of {self.target_value:g}"
        else:
            return "None"
        return f"{amount} by {self.target_deadline:%-d %b %Y}"
