from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiKey, TradingAccount
from accounts.selectors import account_resolve
from accounts.services import api_key_revoke, kite_account_add

pytestmark = pytest.mark.django_db


def test_new_user_gets_funded_default_paper_account(user):
    accounts = list(TradingAccount.objects.filter(user=user))
    assert len(accounts) == 1
    assert accounts[0].kind == "paper" and accounts[0].is_default
    assert accounts[0].paper_capital == Decimal("1000000.00")
    assert account_resolve(user=user) == accounts[0]


def test_accounts_api_lists_only_own_accounts(api, other_api, user, other_user):
    mine = api.get("/api/v1/accounts/")
    assert mine.status_code == 200
    ids = {row["id"] for row in mine.json()["results"]}
    assert ids == set(TradingAccount.objects.filter(user=user).values_list("id", flat=True))
    theirs = TradingAccount.objects.get(user=other_user)
    response = api.get(f"/api/v1/accounts/{theirs.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ACCOUNT_NOT_FOUND"


def test_unauthenticated_and_bad_key_get_error_body():
    anonymous = APIClient().get("/api/v1/accounts/")
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["error"]["code"] == "NOT_AUTHENTICATED"
    bad = APIClient(HTTP_AUTHORIZATION="Api-Key nope.nope").get("/api/v1/accounts/")
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "AUTHENTICATION_FAILED"


def test_api_key_is_hashed_records_last_use_and_can_be_revoked(user, api_key_for):
    raw = api_key_for(user)
    stored = ApiKey.objects.get(user=user)
    assert raw.split(".")[1] not in stored.hashed_key
    client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert client.get("/api/v1/accounts/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    api_key_revoke(user=user, key_id=stored.pk)
    assert client.get("/api/v1/accounts/").status_code == 401


def test_api_key_create_via_api_shows_key_once(api):
    created = api.post("/api/v1/api-keys/", {"name": "bot-1"}, format="json")
    assert created.status_code == 201
    key = created.json()["key"]
    assert APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}").get("/api/v1/accounts/").status_code == 200
    listed = api.get("/api/v1/api-keys/").json()["results"]
    assert all("key" not in row for row in listed)


def test_other_users_key_cannot_be_revoked(api, other_user, api_key_for):
    api_key_for(other_user)
    theirs = ApiKey.objects.get(user=other_user)
    response = api.delete(f"/api/v1/api-keys/{theirs.pk}/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.revoked


def test_validation_error_body(api):
    response = api.post("/api/v1/api-keys/", {}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "VALIDATION_ERROR"
    assert body["message"].startswith("name:")
    assert "name" in body["details"]["fields"]


def test_create_api_key_command_prints_only_the_key(user):
    out = StringIO()
    call_command("create_api_key", user.username, "--name", "cli-bot", stdout=out)
    key = out.getvalue().strip()
    assert "\n" not in key and "." in key
    assert APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}").get("/api/v1/accounts/").status_code == 200


def test_kite_secrets_are_encrypted_at_rest(user):
    account = kite_account_add(user=user, api_key="kitekey123", api_secret="s3cr3t-value", access_token="tok-abc")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kite_api_secret, kite_access_token FROM accounts_tradingaccount WHERE id = %s", [account.pk]
        )
        secret_raw, token_raw = cursor.fetchone()
    assert "s3cr3t-value" not in secret_raw and "tok-abc" not in token_raw
    account.refresh_from_db()
    assert account.kite_api_secret == "s3cr3t-value" and account.has_kite_session


def test_add_kite_account_command(user):
    out = StringIO()
    call_command("add_kite_account", user.username, "--api-key", "k1", "--api-secret", "s1", stdout=out)
    assert TradingAccount.objects.filter(user=user, kind="kite").count() == 1
    assert "no session yet" in out.getvalue()


def test_unknown_api_path_answers_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_schema_renders(api):
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/accounts/" in schema["paths"]
    assert "ApiKeyAuth" in schema["components"]["securitySchemes"]


def test_deactivated_account_cannot_be_resolved_or_switched_to(client, user):
    from accounts.errors import AccountInactive

    spare = TradingAccount.objects.create(user=user, kind="paper", name="Old paper", is_active=False)
    with pytest.raises(AccountInactive) as refused:
        account_resolve(user=user, account_id=spare.pk)
    assert refused.value.code == "ACCOUNT_INACTIVE" and refused.value.http_status == 409
    client.force_login(user)
    client.post("/accounts/switch/", {"account_id": spare.pk, "next": "/orders/"})
    assert client.session.get("account_id") != spare.pk


def test_switch_ignores_an_offsite_next(client, user):
    client.force_login(user)
    response = client.post(
        "/accounts/switch/", {"account_id": account_resolve(user=user).pk, "next": "//evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_pages_look_the_current_account_up_once(client, user):
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/orders/").status_code == 200
    account_queries = [q for q in ctx.captured_queries if 'FROM "accounts_tradingaccount"' in q["sql"]]
    assert len(account_queries) == 2  # the switcher's list + the current account


def test_api_keys_page_shows_a_new_key_once_and_reload_creates_none(client, user):
    client.force_login(user)
    response = client.post("/settings/api-keys/", {"name": "page-bot"}, follow=True)
    assert response.redirect_chain and ApiKey.objects.filter(user=user).count() == 1
    assert response.context["new_key"] and "." in response.context["new_key"]
    again = client.get("/settings/api-keys/")
    assert again.context["new_key"] is None
    assert ApiKey.objects.filter(user=user).count() == 1


def test_api_key_id_is_not_its_stored_hash(api, user):
    from accounts.models import ApiKey

    created = api.post("/api/v1/api-keys/", {"name": "bot-id"}, format="json").json()
    stored = ApiKey.objects.get(pk=created["id"])
    listed = {k["id"] for k in api.get("/api/v1/api-keys/").json()["results"]}
    for key in ApiKey.objects.filter(user=user):
        assert key.pk in listed
        assert key.hashed_key not in key.pk and key.hashed_key[:16] not in key.pk
        assert key.prefix not in key.pk and key.pk not in created["key"]
    response = api.delete(f"/api/v1/api-keys/{stored.pk}/")
    assert response.status_code == 200 and response.json()["revoked"] is True


def test_migration_rekeys_api_keys_whose_id_holds_the_hash(user):
    import importlib

    from django.apps import apps

    from accounts.models import ApiKey

    key, raw = ApiKey.objects.create_key(user=user, name="legacy")
    legacy_id = f"{key.prefix}.{key.hashed_key}"  # djangorestframework-api-key's own id
    ApiKey.objects.filter(pk=key.pk).update(id=legacy_id)
    migration = importlib.import_module("accounts.migrations.0002_api_key_ids_not_hashes")
    migration.rekey(apps, None)
    assert not ApiKey.objects.filter(pk=legacy_id).exists()
    rekeyed = ApiKey.objects.get(prefix=key.prefix)
    assert key.hashed_key not in rekeyed.pk and ApiKey.objects.get_from_key(raw) == rekeyed
