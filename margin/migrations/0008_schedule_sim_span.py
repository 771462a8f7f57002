"""Beat row for the simulated market's daily SPAN file (margin.sim_span.sim_span_publish_due).

Hourly 09:00-15:00 IST Mon-Fri: the task publishes once per NSE trading day (the calendar skips holidays) and
never over a complete file already imported for the day, so the later hours only catch up a missed run.
By name (update_or_create), so the migration is idempotent.
"""

from django.db import migrations

NAME = "margin: publish the simulated market's SPAN file"
TASK = "margin.sim_span_publish"
CRON = {"minute": "0", "hour": "9-15", "day_of_week": "1-5"}


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        day_of_month="*", month_of_year="*", timezone="Asia/Kolkata", **CRON
    )
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "crontab": crontab, "interval": None, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("margin", "0007_margin_comparison"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
