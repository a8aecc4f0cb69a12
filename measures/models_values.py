"""The models of measures that are not plain counts: a composite's parts, and the weekly
figure of a proportion, duration or score. Part of measures.models (which imports them)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from . import rules, value_rules
from .models import Measure, WeeklyReturn


class CompositePart(models.Model):
    """One part of a composite measure (its value: the sum of its parts' counts). A part never
    overlaps another part (a measure and its own sub-measure), so nothing is counted twice:
    the rule is `rules.composite_errors`."""

    composite = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="in_composites")
    history = HistoricalRecords()

    class Meta:
        ordering = ["composite", "part__display_order"]
        constraints = [
            models.UniqueConstraint(fields=["composite", "part"], name="one_part_per_composite"),
            models.CheckConstraint(
                condition=~Q(composite=F("part")),
                name="composite_not_its_own_part",
                violation_error_message="A composite cannot be one of its own parts.",
            ),
        ]

    def __str__(self):
        return f"{self.part} in {self.composite}"

    def clean(self):
        if not (self.composite_id and self.part_id):
            return
        others = [p.part for p in CompositePart.objects.filter(composite_id=self.composite_id)
                  .exclude(pk=self.pk).select_related("part__parent")]  # fmt: skip
        errors = rules.composite_errors(self.composite, [*others, self.part])
        if errors:
            raise ValidationError({"part": " ".join(errors.values())})


class WeeklyValue(models.Model):
    """A week's figure of a proportion, duration or score measure (counts are `WeeklyCount`).
    As for counts, no row is *missing*. A proportion has a numerator and a denominator
    (whole numbers, numerator ≤ denominator); a duration or score has a value. Which one a
    measure takes, and its range, is a rule (`rules.value_errors`): a check constraint cannot
    read the measure, so the constraints here hold the shape every row shares."""

    weekly_return = models.ForeignKey(WeeklyReturn, on_delete=models.CASCADE, related_name="values")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="weekly_values")
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["weekly_return", "measure"],
                name="one_value_per_return_measure",
                violation_error_message="This return already has a figure for this measure.",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=False, denominator__isnull=False, denominator__gte=1,
                            value__isnull=True,
                            numerator__lte=F("denominator"))
                | Q(numerator__isnull=True, denominator__isnull=True, value__isnull=False,
                    value__gte=value_rules.MIN_VALUE),
                name="value_proportion_or_number",
                violation_error_message="A figure is a numerator of at least 1 denominator "
                "(numerator ≤ denominator), or a single value.",
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.measure.code}={rules.value_text(self.typed)}"

    @property
    def typed(self):
        """The figure as the rules take it: a `rules.Proportion` or a Decimal."""
        if self.value is not None:
            return self.value
        return rules.Proportion(self.numerator, self.denominator)
