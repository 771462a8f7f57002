"""Django's SQLite backend with one in-process write lock (embedded mode's database, see base.py)."""
