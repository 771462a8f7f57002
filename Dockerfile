# The production image: one image, every process of the Procfile (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# Static files for whitenoise (STATIC_ROOT=/app/staticfiles); the build needs no database and no Redis.
# Without PROMETHEUS_MULTIPROC_DIR here: prometheus_client would write its value files into a directory
# that only the entrypoint creates (FileNotFoundError at the first metric).
RUN env -u PROMETHEUS_MULTIPROC_DIR SECRET_KEY=build-only python manage.py collectstatic --noinput >/dev/null \
    && useradd --create-home --uid 1000 oms && chown -R oms /app
USER oms

# Each container wipes its own Prometheus multiprocess directory at start (prometheus_client's rule).
ENTRYPOINT ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec \"$@\"", "--"]
EXPOSE 8000
CMD ["sh", "-c", "exec python -m uvicorn oms_project.asgi:application --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2} --timeout-graceful-shutdown ${WEB_GRACEFUL_SHUTDOWN_SECONDS:-5}"]
