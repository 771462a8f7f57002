from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for USERNAME and print only the key (it is stored hashed and never shown again)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username: str, name: str, **options) -> None:  # noqa: ANN002, ANN003
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        _, raw_key = api_key_create(user=user, name=name)
        self.stdout.write(raw_key)
