"""The container layout matches the project (no Docker daemon is needed): docker-compose.yml runs every
process of the Procfile and every registered background service (`run_service <name>`), migrates before the
app starts, checks readiness on /health/ready; the Dockerfile collects static files for whitenoise without
the Prometheus directory; scripts/docker-smoke says clearly when Docker is absent."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP = {name: s for name, s in SERVICES.items() if s.get("image") == "stocksblitz-oms:latest"}


def _command(argv: list[str] | str) -> list[str]:
    """A compose or Procfile command as the program sees it (`sh -c "exec …"` unwrapped, `$$` → `$`)."""
    if isinstance(argv, str):
        argv = shlex.split(argv)
    if argv[:2] == ["sh", "-c"]:
        argv = shlex.split(argv[2].replace("$$", "$"))
    return argv[1:] if argv and argv[0] == "exec" else argv


def _program(argv: list[str]) -> list[str]:
    """The command up to its first long option: what runs, not how it is tuned."""
    out = []
    for token in argv:
        if token.startswith("--") or token in ("&&", ";"):
            break
        out.append(token)
    return out


def _procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {n.strip(): _command(c.strip()) for n, _, c in (ln.partition(":") for ln in lines if ln.strip())}


def test_every_procfile_process_is_a_compose_service_and_back():
    procs = {name: _program(argv) for name, argv in _procfile().items()}
    services = {name: _program(_command(s["command"])) for name, s in APP.items() if name != "migrate"}
    assert sorted(map(tuple, procs.values())) == sorted(map(tuple, services.values())), (procs, services)


def test_every_background_service_runs_in_its_own_container():
    run = [_command(s["command"]) for s in APP.values()]
    started = [argv[3] for argv in run if argv[:3] == ["python", "manage.py", "run_service"]]
    assert sorted(started) == sorted(settings.BACKGROUND_SERVICES)


def test_app_services_start_after_migrate_against_postgres_and_redis():
    assert {"postgres", "redis", "web", "worker", "beat", "migrate"} <= set(SERVICES)
    migrate = _command(APP["migrate"]["command"])
    assert migrate[:4] == ["python", "manage.py", "migrate", "--noinput"]
    for name, s in APP.items():
        env = s["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:"), name  # REDIS_URL: production mode
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), name  # refuses to start without one
        if name != "migrate":
            assert s["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    assert APP["migrate"]["restart"] == "no"
    assert (
        "seed_demo" in APP["migrate"]["command"][-1] and APP["migrate"]["environment"]["SEED_DEMO"] == "${SEED_DEMO:-0}"
    )


def test_web_listens_where_the_port_and_the_healthcheck_point_and_asks_readiness():
    web = _command(SERVICES["web"]["command"])
    assert web[web.index("--host") + 1] == "0.0.0.0" and web[web.index("--port") + 1] == "8000"
    assert SERVICES["web"]["ports"][0].endswith(":8000")
    test = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/health/ready" in test and resolve("/health/ready").url_name == "health-ready"


def test_dockerfile_collects_static_for_whitenoise_without_the_prometheus_dir():
    text = (ROOT / "Dockerfile").read_text()
    collect = next(line for line in text.splitlines() if "collectstatic" in line)
    assert "env -u PROMETHEUS_MULTIPROC_DIR" in collect and "--noinput" in collect
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert Path(settings.STATIC_ROOT) == ROOT / "staticfiles"  # /app/staticfiles in the image (WORKDIR /app)
    assert "WORKDIR /app" in text and "USER oms" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "staticfiles"} <= set(ignored)


def test_docker_smoke_says_clearly_when_docker_is_absent(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(shutil.which("dirname"), bindir / "dirname")  # a PATH with no docker
    bash = shutil.which("bash")
    r = subprocess.run([bash, str(ROOT / "scripts" / "docker-smoke")], env={"PATH": str(bindir)},
                       capture_output=True, text=True, timeout=30)  # fmt: skip
    assert r.returncode == 77, r.stderr
    assert "docker-smoke: NOT RUN" in r.stderr and "no 'docker' command" in r.stderr
