# An Dân in a container: `docker build -t andan . && docker run -p 8080:8080 -v andan:/data andan`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ANDAN_HOST=0.0.0.0 ANDAN_PORT=8080 \
    ANDAN_DATABASE_URL=sqlite+aiosqlite:////data/andan.db ANDAN_MEDIA_DIR=/data/media

RUN useradd --create-home --uid 10001 andan && mkdir /data && chown andan /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY migrations ./migrations
COPY locales ./locales
RUN pip install --no-cache-dir . && rm -rf /root/.cache

USER andan
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["andan", "run"]
