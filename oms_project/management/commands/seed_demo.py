from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone
from marketdata.services import demo_instruments_refresh, watchlist_add_starter

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


class Command(BaseCommand):
    help = (
        "Load the demo instrument master for today and create user demo/demo with a funded paper account (idempotent)."
    )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        result = demo_instruments_refresh(today=timezone.localdate())
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@example.com"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        watchlist_add_starter(user=user)
        self.stdout.write(
            f"Demo master: {result.created} instruments added, {result.updated} updated, "
            f"{result.removed} expired removed. User '{DEMO_USERNAME}' "
            f"({'created' if created else 'already there'}), password '{DEMO_PASSWORD}'."
        )
