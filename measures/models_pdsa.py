"""A PDSA cycle of a change idea (imported by measures/models.py, where Django finds it)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import pdsa_rules


class PdsaCycle(models.Model):
    """One Plan-Do-Study-Act cycle testing a change idea. Its stage is the furthest stage
    filled in (pdsa_rules.cycle_stage), never stored. Free text is about the change, never a
    person; the owner is a role ("Charge nurse"), not a name."""

    class Outcome(models.TextChoices):
        ADOPT = pdsa_rules.ADOPT, pdsa_rules.OUTCOME_LABELS[pdsa_rules.ADOPT]
        ADAPT = pdsa_rules.ADAPT, pdsa_rules.OUTCOME_LABELS[pdsa_rules.ADAPT]
        ABANDON = pdsa_rules.ABANDON, pdsa_rules.OUTCOME_LABELS[pdsa_rules.ABANDON]

    idea = models.ForeignKey("measures.ChangeIdea", on_delete=models.CASCADE,
                             related_name="cycles")  # fmt: skip
    number = models.PositiveSmallIntegerField(help_text="1 for the first cycle of the idea.")
    owner_role = models.CharField(
        "owner's role", max_length=pdsa_rules.MAX_ROLE, blank=True,
        help_text="A role or job title, e.g. Charge nurse: never a name.",
    )  # fmt: skip
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Planned, then actual.")
    plan = models.TextField(help_text="What will change, and why.")
    prediction = models.TextField(blank=True, help_text="What you predict will happen.")
    do = models.TextField(blank=True, help_text="What happened when it was tried.")
    study = models.TextField(blank=True, help_text="What the data showed against the prediction.")
    act = models.TextField(blank=True, help_text="What happens next.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["idea", "number"]
        verbose_name = "PDSA cycle"
        constraints = [
            models.UniqueConstraint(fields=["idea", "number"], name="one_cycle_number_per_idea",
                                    violation_error_message="This change idea already has a "
                                    "cycle with this number."),  # fmt: skip
            models.CheckConstraint(
                condition=Q(number__gte=1), name="cycle_number_positive",
                violation_error_message="Cycles are numbered from 1.",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="cycle_ends_after_start",
                violation_error_message="The end of a cycle cannot be before its start.",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | (~Q(act="") & Q(ends_on__isnull=False)),
                name="cycle_outcome_after_act",
                violation_error_message="A cycle gets its outcome once it has reached Act "
                "and ended.",
            ),
        ]

    def __str__(self):
        return f"PDSA {self.number} of {self.idea.title} ({self.stage_label.lower()})"

    @property
    def stage(self) -> str:
        return pdsa_rules.cycle_stage(do=self.do, study=self.study, act=self.act,
                                      outcome=self.outcome)  # fmt: skip

    @property
    def stage_label(self) -> str:
        if self.outcome:
            return f"Closed: {self.outcome}"
        return pdsa_rules.STAGE_LABELS[self.stage]

    def clean(self):
        # The admin's form and the services' full_clean(): the rules of pdsa_rules.
        if self.starts_on is None:
            return
        errors = pdsa_rules.cycle_errors(
            plan=self.plan, prediction=None, do=self.do, study=self.study, act=self.act,
            outcome=self.outcome, starts_on=self.starts_on, ends_on=self.ends_on,
            today=timezone.localdate(),
            idea_started_on=self.idea.started_on if self.idea_id else None,
            owner_role=self.owner_role,
        )  # fmt: skip
        if errors:
            raise ValidationError(errors)
