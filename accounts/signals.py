from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.paper_account_for_new_user")
def _paper_account_for_new_user(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # An invariant of the product rather than a workflow step: every user, however created
    # (signup, admin, createsuperuser), can trade on paper at once.
    if created and not raw:
        from .services import paper_account_create

        paper_account_create(user=instance, make_default=True)
