# An Dân in a container: `docker build -t andan . && docker run -p 8080:8080 -v andan:/data andan`
# BASE may be any Debian-like image with Python 3.11 and its venv module. CI cannot pull from Docker Hub, so it
# builds one from Debian's archive and passes it with --build-arg BASE=... (see .ci/image).
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/andan/bin:$PATH \
    ANDAN_HOST=0.0.0.0 ANDAN_PORT=8080 \
    ANDAN_DATABASE_URL=sqlite+aiosqlite:////data/andan.db ANDAN_MEDIA_DIR=/data/media

RUN useradd --create-home --uid 10001 andan && mkdir /data && chown andan /data
WORKDIR /app
# The pinned, hash-checked runtime dependencies first, so that a change to the code alone does not reinstall them.
COPY requirements/lock.txt requirements/lock.txt
RUN python3 -m venv /opt/andan && pip install --no-cache-dir --require-hashes -r requirements/lock.txt
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY migrations ./migrations
COPY locales ./locales
# Editable, so that the code runs from /app beside locales/, where bot.i18n looks for the catalogs; the lock
# holds setuptools, so nothing unpinned is fetched to build it.
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e .

USER andan
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["andan", "run"]
