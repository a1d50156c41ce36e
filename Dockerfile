# scraper: the archive daemon / CLI. Build: docker build -t scraper .
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY scraper ./scraper
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 scraper
COPY --from=build /install /usr/local
COPY config /app/config
WORKDIR /app
USER scraper
ENV SCRAPER_CONFIG=/app/config/publishers.toml \
    SCRAPER_LOG_FORMAT=json \
    SCRAPER_LOG_LEVEL=INFO
ENTRYPOINT ["scraper"]
CMD ["run"]
