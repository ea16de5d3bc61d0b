# Image for web, worker and beat (docker-compose.yml). Front-end assets come from the npm
# registry at build time; nothing is fetched at run time.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    CELERY_BROKER_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 weijiuni \
    && mkdir -p /app/.run/private /data/private /data/audit \
    && chown -R weijiuni /app/.run /data/private /data/audit
USER weijiuni
EXPOSE 8000
CMD ["gunicorn", "weijiuni.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60"]
