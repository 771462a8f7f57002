"""Existing API keys get a random id: the library's default id "<prefix>.<hash>" contained the stored hash.
Nothing references ApiKey by foreign key, so the primary key is rewritten in place."""

import secrets

from django.db import migrations


def rekey(apps, schema_editor):  # noqa: ANN001, ANN201
    ApiKey = apps.get_model("accounts", "ApiKey")
    for old_id, hashed_key in list(ApiKey.objects.values_list("id", "hashed_key")):
        if hashed_key and hashed_key in old_id:
            ApiKey.objects.filter(pk=old_id).update(id=f"key_{secrets.token_hex(12)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
