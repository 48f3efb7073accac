from __future__ import annotations

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create an editor account (staff, in the Editors group), or add an existing user to the "
        "group. Prints the password it sets."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--email",
            default="",
            help="The address the editor's notices go to; without one they get none. Sets the "
            "address of an existing account too.",
        )
        parser.add_argument(
            "--password-file",
            type=Path,
            help="Keep the password in this file: read it if it exists, else write a new one "
            "there. Used by `make run` so that the local editor's password survives restarts.",
        )

    @transaction.atomic
    def handle(self, *args, username: str, email: str, password_file: Path | None, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        password = None
        if password_file and password_file.exists():
            password = password_file.read_text().strip()
        if created or password_file is None or not user.check_password(password or ""):
            password = password or secrets.token_urlsafe(12)
            user.set_password(password)
        if email:
            user.email = email
        user.is_staff = True
        user.is_active = True
        user.save()
        user.groups.add(Group.objects.get(name="Editors"))
        if password_file:
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        self.stdout.write(
            f"Editor {username!r} {'created' if created else 'ready'}; password: {password}"
        )
        if not user.email:
            self.stdout.write(
                f"Editor {username!r} has no email address, so gets no notices: "
                "add one with --email ADDRESS."
            )
