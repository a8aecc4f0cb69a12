from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.erasure import user_erase


def operator(username: str):
    """The admin running a command, named with --by: recorded as the actor."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--by: no active user {username!r} (name yourself, an admin).")
    return user


class Command(BaseCommand):
    help = (
        "Erase a person (a right-to-erasure request): their name, email, password, "
        "memberships, API tokens, uploads and sign-in records go; the history of their changes "
        "stays, under a pseudonym. Recorded in the audit log. Deactivate (the admin) otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user to erase.")
        parser.add_argument("--by", required=True, help="Your username (kept in the audit log).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, username, by, yes=False, **options):
        actor = operator(by)
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if user.pk == actor.pk:
            raise CommandError("You cannot erase yourself: ask another admin.")
        if not yes and input(f"Erase {username}? This cannot be undone. [y/N] ").lower() != "y":
            raise CommandError("Nothing erased.")
        pseudonym = user_erase(user=user, by=actor)
        self.stdout.write(self.style.SUCCESS(f"Erased; their history now shows {pseudonym}."))
