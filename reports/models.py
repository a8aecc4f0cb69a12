"""Board packs (the files a QI lead takes to the board), the reminder and digest schedule of
each trust, and the log of every email sent (or not sent, and why)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from wards.models import Region, Trust


class BoardPack(models.Model):
    """One month's pack of one trust or region, made by a task; its files are kept (in the
    database, so web and worker need no shared disk) for the user who asked, for
    REPORTS_PACK_KEEP_DAYS days, then purged; the row and its signal snapshot stay, so the
    next pack can say which wards' signals changed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be made"
        EXPIRED = "expired", "Files deleted after 7 days"

    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="board_packs"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="board_packs"
    )
    month = models.DateField(help_text="The first day of the month the pack reports.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_packs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Per cent done."
    )
    step = models.CharField(max_length=120, blank=True, help_text="What the task is doing.")
    message = models.TextField(blank=True, help_text="Why it failed, in a sentence.")
    pptx = models.BinaryField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    pages = models.PositiveSmallIntegerField(default=0)
    # {measure code: {unit id: [variation icon, assurance icon]}} of the wards (trust pack)
    # or trusts (region pack) when it was made.
    signals = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trust__isnull=False, region__isnull=True)
                | Q(trust__isnull=True, region__isnull=False),
                name="pack_of_a_trust_or_a_region",
                violation_error_message="A board pack is of one trust or one region.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="pack_month_first_day",
                violation_error_message="A pack's month is given by its first day.",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="pack_progress_percent"),
        ]

    def __str__(self):
        return f"{self.scope_name}, {self.month:%B %Y}"

    @property
    def scope(self):
        return self.trust or self.region

    @property
    def scope_name(self) -> str:
        return self.trust.name if self.trust_id else self.region.name

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def filename(self) -> str:
        code = self.trust.ods_code if self.trust_id else self.region.code
        return f"board-pack-{code}-{self.month:%Y-%m}"


HOURS = [MinValueValidator(0, "An hour is 0 to 23."), MaxValueValidator(23, "An hour is 0 to 23.")]
WEEKDAYS = [
    MinValueValidator(1, "Choose a day from Monday to Sunday."),
    MaxValueValidator(7, "Choose a day from Monday to Sunday."),
]


class Weekday(models.IntegerChoices):
    MONDAY = 1, "Monday"
    TUESDAY = 2, "Tuesday"
    WEDNESDAY = 3, "Wednesday"
    THURSDAY = 4, "Thursday"
    FRIDAY = 5, "Friday"
    SATURDAY = 6, "Saturday"
    SUNDAY = 7, "Sunday"


class ReminderSchedule(models.Model):
    """When a trust's reminders and digest go out (Europe/London time), set by its QI lead,
    with history. A trust without a row has the defaults: the first reminder on Tuesday at
    10:00 for the week that ended on Sunday, the second (copying the QI lead) two days later
    at the same hour, the digest on Monday at 08:00."""

    trust = models.OneToOneField(Trust, on_delete=models.CASCADE, related_name="reminder_schedule")
    reminders_on = models.BooleanField("send reminders", default=True)
    first_weekday = models.PositiveSmallIntegerField(
        "first reminder on", choices=Weekday.choices, default=Weekday.TUESDAY, validators=WEEKDAYS
    )
    first_hour = models.PositiveSmallIntegerField("at (hour)", default=10, validators=HOURS)
    second_after_days = models.PositiveSmallIntegerField(
        "second reminder after (days)",
        default=2,
        validators=[
            MinValueValidator(1, "At least 1 day."),
            MaxValueValidator(5, "At most 5 days."),
        ],
        help_text="The second reminder copies the trust's QI leads.",
    )
    digest_on = models.BooleanField("send the weekly digest", default=True)
    digest_weekday = models.PositiveSmallIntegerField(
        "digest on", choices=Weekday.choices, default=Weekday.MONDAY, validators=WEEKDAYS
    )
    digest_hour = models.PositiveSmallIntegerField("at (hour)", default=8, validators=HOURS)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(first_hour__lte=23) & Q(digest_hour__lte=23), name="schedule_hours"
            ),
            models.CheckConstraint(
                condition=Q(first_weekday__gte=1, first_weekday__lte=7)
                & Q(digest_weekday__gte=1, digest_weekday__lte=7),
                name="schedule_weekdays",
            ),
            models.CheckConstraint(
                condition=Q(second_after_days__gte=1, second_after_days__lte=5),
                name="schedule_second_after_days",
            ),
        ]

    def __str__(self):
        return f"Reminders of {self.trust.name}"


class Kind(models.TextChoices):
    """What an email is; each kind can be unsubscribed from on its own."""

    REMINDER = "reminder", "Missing return reminders"
    DIGEST = "digest", "Weekly digest of signals"
    PACK_READY = "pack_ready", "Board pack ready notices"


class SentMessage(models.Model):
    """Every email the app sends or decides not to send, with why: a page lists them for the
    trust's QI leads. `key` makes each message once-only (a beat that fires twice, a retried
    task), so it is unique."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Failed, will retry"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.CharField(max_length=254, blank=True)
    cc = models.JSONField(default=list, blank=True)
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="sent_messages"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="sent_messages"
    )
    pack = models.ForeignKey(
        BoardPack, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Digests: the signals this digest reported, so the next one reports only what is new.
    signals = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    tried_at = models.DateTimeField(null=True, blank=True, help_text="The last attempt.")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "tried_at"], name="sentmessage_retry")]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to_address or self.user}"


class Unsubscribe(models.Model):
    """A user's "no more of these": honoured before every send of that kind."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_unsubscribe_per_kind"),
        ]

    def __str__(self):
        return f"{self.user} from {self.get_kind_display()}"
