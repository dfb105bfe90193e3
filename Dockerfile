# Image for the production-like stack in docker-compose.yaml: Airflow 3 + this project.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/cityops/venv \
    PATH=/opt/cityops/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir "uv==0.13.8" \
    && useradd --uid 50000 --create-home --home-dir /opt/airflow airflow

WORKDIR /opt/cityops/app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project --compile-bytecode
COPY cityops ./cityops
COPY ingest ./ingest
RUN uv sync --locked --no-dev --compile-bytecode && chown -R airflow /opt/airflow

USER airflow
