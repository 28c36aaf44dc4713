# Production image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production
WORKDIR /app
RUN useradd --system --create-home --uid 10001 portal
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
# Front-end packages are fetched from the npm registry and integrity-checked at build time,
# then collected, so the running site never loads anything from other hosts.
RUN python -m portal.vendor_assets \
 && DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=postgres://build/none \
    python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /app/var/media /app/var/private && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
