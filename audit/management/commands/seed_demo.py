import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from equity.demo import seed_breakdowns
from measures import demo, demo_pdsa
from measures.change_ideas import change_idea_create, pdsa_cycle_add, pdsa_cycle_update
from measures.demo_local import demo_local_measure, demo_local_values
from measures.models import (
    ChangeIdea,
    Enrolment,
    IncidentDate,
    Measure,
    Programme,
    WeeklyCount,
    WeeklyReturn,
    WeeklyValue,
)
from measures.rules import Proportion
from mhsip.weeks import latest_complete_week, monday_of
from spc.recompute import charts_recompute_all
from wards.models import Membership, Region, Trust, Ward

DEMO_PASSWORD = "mhsip-demo-2026"
Role = Membership.Role


class Command(BaseCommand):
    help = (
        "Load the deterministic demo data set (3 regions, 9 trusts, 45 wards, weekly returns "
        "since May 2021) and one demo user per role. Idempotent: a second run adds only weeks "
        "that have ended since."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off (demo users have a published password).",
        )
        parser.add_argument("--until", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, allow_production=False, until=None, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to load demo users with a published password while DEBUG is off. "
                "Pass --allow-production if this really is a demo site."
            )
        until = until or latest_complete_week(timezone.localdate())
        with transaction.atomic():
            wards = self._organisations()
            self._users(wards)
            created = self._returns(wards, until)
            self._change_ideas(wards, until)
            breakdowns = self._breakdowns(wards)
        # Bulk inserts bypass the save hooks, so compute the charts here (unchanged ones are
        # skipped by their input hash).
        charts = charts_recompute_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Ward.objects.count()} wards, "
                f"{WeeklyReturn.objects.count()} weekly returns ({created} new), "
                f"{IncidentDate.objects.count()} dated incidents, "
                f"{breakdowns} ward-weeks broken down by group, "
                f"latest week w/c {until:%d %b %Y}; charts: {charts}."
            )
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, description in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {description}")

    def _organisations(self) -> dict[str, tuple[Ward, demo.DemoWard]]:
        regions = {
            code: Region.objects.get_or_create(code=code, defaults={"name": name})[0]
            for name, code in demo.REGIONS
        }
        trusts = {
            ods: Trust.objects.get_or_create(
                ods_code=ods, defaults={"name": name, "region": regions[region]}
            )[0]
            for region, name, ods in demo.TRUSTS
        }
        programmes = list(Programme.objects.all())
        wards = {}
        for spec in demo.demo_wards():
            ward, _ = Ward.objects.get_or_create(
                trust=trusts[spec.trust_ods],
                name=spec.name,
                defaults={
                    "code": spec.code,
                    "ward_type": spec.ward_type,
                    "beds": spec.beds,
                    "active_from": spec.active_from,
                    "active_to": spec.active_to,
                },
            )
            joined = max(demo.LAUNCH, monday_of(spec.active_from))
            for programme in programmes:
                Enrolment.objects.get_or_create(
                    programme=programme, ward=ward, defaults={"joined_on": joined}
                )
            wards[spec.code] = (ward, spec)
        return wards

    def _change_ideas(self, wards, until) -> None:
        """Each improving ward's adopted idea; an abandoned and a running one on the first
        ward of the first trust (the demo ward staff's). Only ideas not there yet."""
        plans = []
        for ward, spec in wards.values():
            if spec.improves_from:
                title, area = demo.CHANGE_IDEAS[len(spec.name) % len(demo.CHANGE_IDEAS)]
                plans.append((ward, demo_pdsa.adopted(title, area), spec.improves_from))
        first = next(w for w, _ in wards.values() if w.trust.ods_code == demo.TRUSTS[0][2])
        plans += [(first, demo_pdsa.ABANDONED, until), (first, demo_pdsa.RUNNING, until)]
        existing = set(ChangeIdea.objects.values_list("ward_id", "title"))
        for ward, idea, anchor in plans:
            if (ward.pk, idea.title) not in existing:
                self._change_idea(ward, idea, anchor)

    def _change_idea(self, ward, spec, anchor) -> None:
        cycles = iter(spec.cycles)
        cycle = next(cycles)
        starts_on, ends_on = spec.dates(anchor, cycle)
        idea = change_idea_create(
            ward=ward, user=None, title=spec.title, started_on=starts_on,
            driver_area=spec.driver_area, measures=list(spec.measures), plan=cycle.plan,
            prediction=cycle.prediction, ends_on=ends_on, owner_role=cycle.owner_role,
        )  # fmt: skip
        saved = idea.cycles.get()
        while True:
            stages = {k: getattr(cycle, k) for k in ("do", "study", "act", "outcome")}
            pdsa_cycle_update(cycle=saved, user=None, **stages)
            cycle = next(cycles, None)
            if cycle is None:
                return
            starts_on, ends_on = spec.dates(anchor, cycle)
            saved = pdsa_cycle_add(idea=idea, user=None, plan=cycle.plan,
                                   prediction=cycle.prediction, starts_on=starts_on,
                                   ends_on=ends_on, owner_role=cycle.owner_role)  # fmt: skip

    def _users(self, wards) -> None:
        User = get_user_model()
        first_trust = Trust.objects.get(ods_code=demo.TRUSTS[0][2])
        staff_wards = [w for w, _ in wards.values() if w.trust_id == first_trust.pk][:2]
        region = first_trust.region
        for username, _ in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": username.split(".")[0].title(),
                    # A reserved domain: reminders and digests of the demo print to the console
                    # (or reach no one through a real SMTP server).
                    "email": f"{username}@example.org",
                    "is_staff": username == "admin",
                    "is_superuser": username == "admin",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        memberships = [
            *[{"user": "ward.staff", "role": Role.WARD_STAFF, "ward": w} for w in staff_wards],
            {"user": "qi.lead", "role": Role.QI_LEAD, "trust": first_trust},
            {"user": "facilitator", "role": Role.FACILITATOR, "region": region},
            {"user": "admin", "role": Role.ADMIN},
        ]
        for fields in memberships:
            fields["user"] = User.objects.get(username=fields["user"])
            Membership.objects.get_or_create(**fields)

    def _returns(self, wards, until) -> int:
        first_trust = Trust.objects.get(ods_code=demo.TRUSTS[0][2])
        local = demo_local_measure(first_trust, [w for w, _ in wards.values()
                                                 if w.trust_id == first_trust.pk])  # fmt: skip
        local_wards = set(local.local.wards.values_list("pk", flat=True))
        measures = {m.code: m for m in Measure.objects.all()}
        existing = set(WeeklyReturn.objects.values_list("ward_id", "week_start"))
        submitted_at = timezone.now()
        new_returns, new_counts, all_dates, all_values = [], [], {}, {}
        for index, (ward, spec) in enumerate(wards.values()):
            weeks = demo.demo_weeks(spec, until)
            if index % 5 == 0 and weeks and weeks[-1].week_start == until:
                weeks = weeks[:-1]  # this ward has not returned the latest week yet: overdue
            for week in weeks:
                if week.dates:
                    all_dates[(ward.pk, week.week_start)] = week.dates
                values = dict(week.values)
                if ward.pk in local_wards:
                    values[local.code] = demo_local_values(spec, week.week_start,
                                                           week.occupied_bed_days)  # fmt: skip
                if values:
                    all_values[(ward.pk, week.week_start)] = values
                if (ward.pk, week.week_start) in existing:
                    continue
                is_draft = index % 3 == 0 and week.week_start == until
                weekly_return = WeeklyReturn(
                    ward=ward,
                    week_start=week.week_start,
                    beds=ward.beds,
                    occupied_bed_days=week.occupied_bed_days,
                    status=WeeklyReturn.Status.DRAFT if is_draft else WeeklyReturn.Status.SUBMITTED,
                    submitted_at=None if is_draft else submitted_at,
                )
                new_returns.append(weekly_return)
                new_counts.append(week.counts)
        # Bulk inserts: ~13,000 returns and ~170,000 counts would take minutes one by one.
        WeeklyReturn.objects.bulk_create(new_returns, batch_size=2000)
        WeeklyCount.objects.bulk_create(
            [
                WeeklyCount(weekly_return=weekly_return, measure=measures[code], count=count)
                for weekly_return, counts in zip(new_returns, new_counts, strict=True)
                for code, count in counts.items()
            ],
            batch_size=5000,
        )
        self._dates(all_dates)
        self._values(all_values, measures)
        return len(new_returns)

    def _values(self, all_values, measures) -> None:
        """The proportions, durations and scores of the wards that collect them, for every
        return and measure that has none yet (so a data set seeded before they existed gets
        them too, and a second run adds nothing)."""
        if not all_values:
            return
        ward_ids = {ward_id for ward_id, _ in all_values}
        held = set(WeeklyValue.objects.filter(weekly_return__ward_id__in=ward_ids)
                   .values_list("weekly_return_id", "measure_id"))  # fmt: skip
        returns = WeeklyReturn.objects.filter(ward_id__in=ward_ids).values_list(
            "id", "ward_id", "week_start")  # fmt: skip
        rows = []
        for return_id, ward_id, week in returns.iterator(chunk_size=10_000):
            for code, value in all_values.get((ward_id, week), {}).items():
                if (return_id, measures[code].pk) in held:
                    continue
                proportion = isinstance(value, Proportion)
                rows.append(WeeklyValue(
                    weekly_return_id=return_id, measure=measures[code],
                    numerator=value.numerator if proportion else None,
                    denominator=value.denominator if proportion else None,
                    value=None if proportion else value,
                ))  # fmt: skip
        WeeklyValue.objects.bulk_create(rows, batch_size=5000)

    def _breakdowns(self, wards) -> int:
        """Breakdowns by group (equity) for the first trust's wards that have a change idea."""
        first_trust = demo.TRUSTS[0][2]
        chosen = [(ward, spec.improves_from) for ward, spec in wards.values()
                  if spec.trust_ods == first_trust and spec.improves_from][:3]  # fmt: skip
        return seed_breakdowns(chosen)

    def _dates(self, all_dates) -> None:
        """The days of the dated wards' incidents, for every count that has none yet and
        still has the demo's count (so a data set seeded before dates existed gets them too,
        and a second run adds nothing)."""
        if not all_dates:
            return
        undated = (
            WeeklyCount.objects.filter(
                weekly_return__ward_id__in={ward_id for ward_id, _ in all_dates}, dates=None
            )
            .values_list("id", "weekly_return__ward_id", "weekly_return__week_start",
                         "measure__code", "count")  # fmt: skip
        )
        rows = []
        for count_id, ward_id, week, code, count in undated.iterator(chunk_size=10_000):
            days = all_dates.get((ward_id, week), {}).get(code)
            if days and len(days) == count:
                rows += [IncidentDate(count_id=count_id, occurred_on=day) for day in days]
        IncidentDate.objects.bulk_create(rows, batch_size=5000)


DEMO_USERS = [
    ("ward.staff", "Ward staff: enters returns for two wards of Tyneside Moors (RZ1)"),
    ("qi.lead", "QI lead: everything in Tyneside Moors Mental Health NHS FT (RZ1)"),
    ("facilitator", "PSC facilitator: reads all trusts of North East and North Cumbria PSC"),
    ("admin", "Admin: everything, including /admin/"),
]
