"""Housekeeping services: one module per job (see housekeeping/schedule.py for the list)."""
