from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

# NHS ODS organisation codes of providers: 3 characters, R or T for NHS trusts and N for
# independent-sector providers (many mental-health beds are independent), then 2 letters/digits.
ODS_CODE_PATTERN = r"^[RTN][A-Z0-9]{2}$"
ODS_CODE_MESSAGE = (
    "Enter the trust's NHS ODS code: 3 characters, R, T or N followed by two capital "
    "letters or digits (for example RX4)."
)
validate_ods_code = RegexValidator(ODS_CODE_PATTERN, ODS_CODE_MESSAGE, code="invalid_ods_code")


class Region(models.Model):
    """A Patient Safety Collaborative (hosted by a Health Innovation Network)."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)
    ods_code = models.CharField(
        "ODS code", max_length=3, unique=True, validators=[validate_ods_code]
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="trusts")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ods_code__regex=ODS_CODE_PATTERN),
                name="trust_ods_code_format",
                violation_error_message=ODS_CODE_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.ods_code})"


class Ward(models.Model):
    class Type(models.TextChoices):
        ACUTE_ADULT = "acute_adult", "Acute adult"
        PICU = "picu", "Psychiatric intensive care (PICU)"
        OLDER_ADULT = "older_adult", "Older adult"
        FORENSIC = "forensic", "Forensic / secure"
        LDA = "lda", "Learning disability & autism"
        CAMHS = "camhs", "CAMHS (children and young people)"
        REHABILITATION = "rehabilitation", "Rehabilitation"
        EATING_DISORDER = "eating_disorder", "Eating disorder"
        PERINATAL = "perinatal", "Perinatal (mother and baby)"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(max_length=120)
    code = models.SlugField(
        max_length=40,
        blank=True,
        help_text="Optional local ward code, used to match rows on import.",
    )
    ward_type = models.CharField(max_length=20, choices=Type.choices)
    beds = models.PositiveSmallIntegerField(
        "number of beds",
        validators=[MinValueValidator(1, "A ward must have at least 1 bed.")],
    )
    active_from = models.DateField(help_text="The date the ward opened (or joined the app).")
    active_to = models.DateField(null=True, blank=True, help_text="Leave blank while open.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["trust__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "name"], name="ward_name_unique_in_trust"),
            models.UniqueConstraint(
                fields=["trust", "code"], condition=~Q(code=""), name="ward_code_unique_in_trust"
            ),
            models.CheckConstraint(
                condition=Q(beds__gte=1),
                name="ward_beds_positive",
                violation_error_message="A ward must have at least 1 bed.",
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="ward_active_to_after_from",
                violation_error_message="The closing date must be on or after the opening date.",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.trust.name}"

    def is_active_on(self, day) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class Membership(models.Model):
    """A user's role and where it applies: named wards, one trust, one region, or everything."""

    class Role(models.TextChoices):
        WARD_STAFF = "ward_staff", "Ward staff"
        QI_LEAD = "qi_lead", "QI lead"
        FACILITATOR = "facilitator", "PSC facilitator"
        ADMIN = "admin", "Admin"

    # Which scope field each role needs; the others stay empty (also a DB constraint).
    SCOPE_FIELD = {
        Role.WARD_STAFF: "ward",
        Role.QI_LEAD: "trust",
        Role.FACILITATOR: "region",
        Role.ADMIN: None,
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role="ward_staff",
                        ward__isnull=False,
                        trust__isnull=True,
                        region__isnull=True,
                    )
                    | Q(role="qi_lead", ward__isnull=True, trust__isnull=False, region__isnull=True)
                    | Q(
                        role="facilitator",
                        ward__isnull=True,
                        trust__isnull=True,
                        region__isnull=False,
                    )
                    | Q(role="admin", ward__isnull=True, trust__isnull=True, region__isnull=True)
                ),
                name="membership_scope_matches_role",
                violation_error_message=(
                    "Ward staff need a ward, a QI lead a trust, a PSC facilitator a region, "
                    "and an admin none of these."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "ward"], condition=Q(role="ward_staff"), name="one_ward_membership"
            ),
            models.UniqueConstraint(
                fields=["user", "trust"], condition=Q(role="qi_lead"), name="one_trust_membership"
            ),
            models.UniqueConstraint(
                fields=["user", "region"],
                condition=Q(role="facilitator"),
                name="one_region_membership",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role="admin"), name="one_admin_membership"
            ),
        ]

    def __str__(self):
        scope = self.ward or self.trust or self.region or "everything"
        return f"{self.user} — {self.get_role_display()} — {scope}"

    def clean(self):
        needed = self.SCOPE_FIELD.get(self.role)
        errors = {}
        for field in ("ward", "trust", "region"):
            has_value = getattr(self, f"{field}_id") is not None
            if field == needed and not has_value:
                errors[field] = f"A {self.get_role_display()} membership needs a {field}."
            elif field != needed and has_value:
                errors[field] = f"A {self.get_role_display()} membership has no {field}."
        if errors:
            raise ValidationError(errors)
