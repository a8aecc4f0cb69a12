"""A trust's own (local) measures: its QI lead adds one with its definition, direction and
unit, enrols the trust's wards, edits it and later retires it. Writes with history; charts
are told through mhsip.freshness. A local measure is a `Measure` with a `LocalMeasure` row
(its trust, wards and retirement), so counts, rules and charts treat it as any measure."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mhsip.forms import IsoDateInput
from mhsip.freshness import charts_stale
from mhsip.text import clean_free_text
from wards.models import Trust

from . import targets
from .models import LocalMeasure, Measure

# Local measures come after the national catalogue on forms and pages.
LOCAL_ORDER_FROM = 10_000
TEXT_FIELDS = ("name", "unit", "definition", "includes", "excludes", "numerator_label",
               "denominator_label")  # fmt: skip
# What one value type needs (measures.value_rules.measure_definition_errors names the rule).
VALUE_TYPE_FIELDS = ("numerator_label", "denominator_label", "duration_unit", "score_min",
                     "score_max")  # fmt: skip
# The target's fields: LocalMeasure's, with its rules (LocalMeasure.target_errors).
TARGET_FIELDS = ("target_kind", "target_percent", "target_value", "target_deadline",
                 "target_against_direction_confirmed")  # fmt: skip


def local_measure_fields() -> list[str]:
    """The Measure fields a QI lead sets; a value type where the catalogue has one."""
    return ["name", "code", "value_type", "domain", "improvement", "unit", "definition",
            "includes", "excludes", *VALUE_TYPE_FIELDS]  # fmt: skip


def code_clash(code: str, *, exclude_pk=None) -> str:
    """Why a code cannot be a new local measure's ('' if it can): codes are unique across the
    national catalogue and every trust's local measures (imports and the API name measures
    by code)."""
    clash = Measure.objects.filter(code=code).exclude(pk=exclude_pk).select_related("local")
    measure = clash.first()
    if measure is None:
        return ""
    if not hasattr(measure, "local"):
        return (f"'{code}' is the code of the national measure '{measure.name}': choose a code "
                "of your own, e.g. with your trust's ODS code in front.")  # fmt: skip
    return f"'{code}' is already the code of another local measure: choose another code."


class LocalMeasureForm(forms.ModelForm):
    """A local measure's definition and its enrolled wards (of its trust only). Every error of
    the form in one round; free text refuses NHS numbers."""

    wards = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Wards that report it", help_text="They see it in their weekly return form.",
    )  # fmt: skip
    target_kind = forms.ChoiceField(
        label="Target", initial=targets.NONE, required=False,
        choices=LocalMeasure._meta.get_field("target_kind").choices,
        help_text="Drawn on the charts of its wards and the trust; the assurance icon says "
        "whether the process will meet it.",
    )  # fmt: skip
    target_percent = forms.IntegerField(
        label="By what percentage", required=False,
        help_text="For a reduce or increase target: r in 'by r% of the baseline'.",
    )  # fmt: skip
    target_value = forms.FloatField(
        label="Target value", required=False,
        help_text="For a fixed value: in the chart's unit (a proportion as a percentage, a "
        "count per 1,000 occupied bed days).",
    )  # fmt: skip
    target_deadline = forms.DateField(label="Deadline", required=False, widget=IsoDateInput())
    target_against_direction_confirmed = forms.BooleanField(
        label="Confirm a target against the direction", required=False
    )

    class Meta:
        model = Measure
        fields = local_measure_fields()
        labels = {"improvement": "Direction of improvement", "includes": "What counts",
                  "excludes": "What does not count",
                  "numerator_label": "Proportions: what the numerator counts",
                  "denominator_label": "Proportions: what the denominator counts",
                  "duration_unit": "Durations: the unit of time",
                  "score_min": "Scores: the lowest score", "score_max": "Scores: the highest score"}
        # fmt: skip
        help_texts = {"code": "Lower-case letters, digits and underscores; it names the "
                      "measure in files and the API and cannot change later."}  # fmt: skip

    def __init__(self, *args, trust: Trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust = trust
        self.fields["wards"].queryset = trust.wards.order_by("name")
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["wards"].initial = list(self.instance.local.wards.all())
            for name in TARGET_FIELDS:
                self.fields[name].initial = getattr(self.instance.local, name)

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").lower()
        if not self.instance.pk and (message := code_clash(code)):
            raise forms.ValidationError(message, code="code_clash")
        return code

    def _clean_text(self, name):
        try:
            return clean_free_text(self.cleaned_data.get(name, ""))
        except ValidationError as error:
            self.add_error(name, error)
            return ""

    def clean(self):
        cleaned = super().clean()
        for name in TEXT_FIELDS:
            if name in cleaned:
                cleaned[name] = self._clean_text(name)
        self._clean_target(cleaned)
        return cleaned

    def _clean_target(self, cleaned):
        """The target's rules as the model has them (LocalMeasure.target_errors), judged on
        the direction being saved, every error in one round on its own field."""
        if "improvement" not in cleaned:
            return  # the direction has its own error
        local = LocalMeasure(**self.target(cleaned))
        local.clear_unused_target()
        cleaned.update(self.target(vars(local)))
        for name, message in local.target_errors(cleaned["improvement"]).items():
            if name not in self.errors:
                self.add_error(name, message)

    def target(self, values=None) -> dict:
        """The LocalMeasure fields of the target, for the services below."""
        values = self.cleaned_data if values is None else values
        return {name: values.get(name) for name in TARGET_FIELDS}

    def measure_fields(self) -> dict:
        """The Measure fields (the rest are the wards and the target)."""
        return {k: v for k, v in self.cleaned_data.items()
                if k != "wards" and not k.startswith("target_")}  # fmt: skip

    def validate_unique(self):
        # The code's clash has its own message (clean_code); the name's is Django's.
        exclude = self._get_validation_exclusions()
        exclude.add("code")
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


def _ward_ids(local: LocalMeasure) -> list[int]:
    return list(local.wards.values_list("pk", flat=True))


@transaction.atomic
def local_measure_create(*, trust: Trust, user, fields: dict, wards,
                         target: dict | None = None) -> Measure:  # fmt: skip
    top = Measure.objects.aggregate(top=Max("display_order"))["top"] or 0
    measure = Measure(**fields, display_order=max(top + 10, LOCAL_ORDER_FROM))
    measure.full_clean()
    measure.save()
    local = LocalMeasure(measure=measure, trust=trust, created_by=user, **(target or {}))
    local.full_clean()
    local.save()
    local.wards.set([w for w in wards if w.trust_id == trust.pk])
    charts_stale(ward_ids=_ward_ids(local))
    return measure


@transaction.atomic
def local_measure_update(*, measure: Measure, fields: dict, wards,
                         target: dict | None = None) -> Measure:  # fmt: skip
    local = measure.local
    before = set(_ward_ids(local))
    for name, value in fields.items():
        if name != "code":  # files and the API name it by code: fixed once made
            setattr(measure, name, value)
    measure.full_clean()
    measure.save()
    if target is not None:
        for name, value in target.items():
            setattr(local, name, value)
        local.full_clean()
        local.save()  # with history: who changed the target, and when
    local.wards.set([w for w in wards if w.trust_id == local.trust_id])
    charts_stale(ward_ids=sorted(before | set(_ward_ids(local))))
    return measure


@transaction.atomic
def local_measure_retire(*, measure: Measure, today=None) -> Measure:
    """Soft: the measure, its counts, charts and history stay; it leaves the weekly form."""
    local = measure.local
    if local.retired_on is None:
        local.retired_on = today or timezone.localdate()
        local.save(update_fields=["retired_on"])
    return measure


def local_measures_of(trust: Trust) -> list[Measure]:
    """The trust's local measures, current first, with their wards (two queries)."""
    measures = (
        Measure.objects.filter(local__trust=trust)
        .select_related("local")
        .prefetch_related("local__wards")
        .order_by("local__retired_on", "display_order", "name")
    )
    return sorted(measures, key=lambda m: (m.local.retired_on is not None, m.display_order))
