# supportbot: one image for every platform; the command picks it (default: Slack over HTTP).
#
#   docker build -t supportbot .
#   docker run -p 3000:3000 -p 9108:9108 -v supportbot-data:/data --env-file .env -e SUPPORTBOT_OPS_HOST=0.0.0.0 supportbot
#
# The model is not in the image: the first start trains it into the /data volume (about 10 minutes on
# 2 CPUs), later starts load it in seconds. compose.yaml runs it beside PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --gid 10001 supportbot \
    && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/supportbot --shell /usr/sbin/nologin supportbot \
    && mkdir -p /data \
    && chown 10001:10001 /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY models ./models
COPY knowledge ./knowledge

# torch is pinned in pyproject.toml; the extra index serves that version as its CPU build (2.13.0+cpu,
# which pip prefers to PyPI's CUDA build), so the image carries no CUDA libraries.
# Installed in place (-e): the code and its bundled data (intents, signals, articles) stay in /app, where
# the README's paths point; a plain `pip install .` works as well (they are package data).
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu -e . \
    && python -m compileall -q bot models knowledge

# Everything written at run time goes to the volume: the trained model, the knowledge-base index, the
# base model cache. Nothing is fetched from a model hub while serving.
ENV SUPPORTBOT_MODEL_DIR=/data/models/bundled \
    XDG_CACHE_HOME=/data/cache \
    HF_HUB_OFFLINE=1 \
    SUPPORTBOT_OPS_HOST=0.0.0.0 \
    SUPPORTBOT_OPS_PORT=9108
VOLUME /data
WORKDIR /data
USER 10001:10001

# 3000: Slack's Events API in HTTP mode (SUPPORTBOT_SLACK_PORT); 9108: /metrics, /healthz, /readyz.
EXPOSE 3000 9108

# The ops port opens once the model is trained and loaded: the first start needs the long start period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30m --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9108/healthz', timeout=4)"]

ENTRYPOINT ["supportbot"]
CMD ["slack", "--http"]
