# scraper: the archive daemon / CLI. Build: docker build -t scraper .
# PYTHON_IMAGE: the base image, e.g. a mirror's copy of python:3.11-slim on an air-gapped host.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY scraper ./scraper
RUN pip install --no-cache-dir --prefix=/install .

FROM ${PYTHON_IMAGE}
# Non-root; /data is its working directory, so the default SQLite archive (scraper.db) is
# writable there (mount a volume on it to keep it); with PostgreSQL nothing is written locally.
RUN useradd --create-home --uid 10001 scraper \
    && mkdir /data && chown scraper:scraper /data
COPY --from=build /install /usr/local
COPY config /app/config
WORKDIR /data
USER scraper
ENV SCRAPER_CONFIG=/app/config/publishers.toml \
    SCRAPER_LOG_FORMAT=json \
    SCRAPER_LOG_LEVEL=INFO \
    PYTHONUNBUFFERED=1
ENTRYPOINT ["scraper"]
CMD ["run"]
