from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import kite_account_add


class Command(BaseCommand):
    help = "Add or update a Kite Connect account for USERNAME. Secrets are stored encrypted."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("username")
        parser.add_argument("--api-key", required=True)
        parser.add_argument("--api-secret", required=True)
        parser.add_argument("--access-token", default="")
        parser.add_argument("--name", default="")
        parser.add_argument("--kite-user-id", default="")
        parser.add_argument("--default", action="store_true", help="Make it the user's default account.")

    def handle(self, *args, **o) -> None:  # noqa: ANN002, ANN003
        try:
            user = get_user_model().objects.get(username=o["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {o['username']!r}.") from None
        account = kite_account_add(
            user=user,
            api_key=o["api_key"],
            api_secret=o["api_secret"],
            access_token=o["access_token"],
            name=o["name"],
            kite_user_id=o["kite_user_id"],
            make_default=o["default"],
        )
        session = "with an access token" if account.has_kite_session else "no session yet: log in to Kite from the app"
        self.stdout.write(f"Kite account {account.pk} '{account.name}' saved for {user.username} ({session}).")
