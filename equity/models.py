"""Breakdowns of a ward-week's restrictive-practice counts by group: aggregate, never people.

A breakdown refines a weekly return: its bed days by group (from the trust's patient
administration extract) and, per restrictive-practice measure, its count by group. The
counts of one measure and dimension add up to the return's count for that measure
(equity/rules.py); nothing here names or describes a patient.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from measures.models import Measure, WeeklyReturn

from .groups import DIMENSIONS

DIMENSION_CHOICES = list(DIMENSIONS.items())


class GroupBedDays(models.Model):
    weekly_return = models.ForeignKey(
        WeeklyReturn, on_delete=models.CASCADE, related_name="group_bed_days"
    )
    dimension = models.CharField(max_length=20, choices=DIMENSION_CHOICES)
    code = models.CharField(max_length=10, help_text="The group's code as entered (see groups.py).")
    occupied_bed_days = models.PositiveIntegerField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["weekly_return", "dimension", "code"], name="one_bed_days_per_group"
            ),
        ]

    def __str__(self):
        return f"{self.dimension}={self.code}: {self.occupied_bed_days} bed days"


class GroupCount(models.Model):
    weekly_return = models.ForeignKey(
        WeeklyReturn, on_delete=models.CASCADE, related_name="group_counts"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="group_counts")
    dimension = models.CharField(max_length=20, choices=DIMENSION_CHOICES)
    code = models.CharField(max_length=10)
    count = models.PositiveIntegerField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["weekly_return", "measure", "dimension", "code"],
                name="one_count_per_group_measure",
            ),
            models.CheckConstraint(condition=Q(count__gte=0) & ~Q(code=""),
                                   name="group_count_named_and_not_negative"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["measure", "dimension"])]

    def __str__(self):
        return f"{self.measure_id} {self.dimension}={self.code}: {self.count}"



