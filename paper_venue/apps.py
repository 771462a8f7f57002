from django.apps import AppConfig


class PaperVenueConfig(AppConfig):
    name = "paper_venue"
    verbose_name = "Paper venue"
