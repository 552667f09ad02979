# The IPO Assistant image: the web app, `python -m ingest`, and the `chroma` server command (same chromadb
# version as the client). See docs/deployment.md; docker-compose.yml runs it with Chroma, PostgreSQL and Redis.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""

WORKDIR /app
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY ingest ./ingest
COPY evals ./evals
COPY knowledge ./knowledge
COPY server.py ./
# Editable, so that the settings find knowledge/ next to the code (IPO_KNOWLEDGE_DIR overrides it).
RUN pip install --upgrade pip && pip install -e '.[llm,scale]' \
    && useradd --system --home /var/lib/ipo --create-home ipo
USER ipo
ENV IPO_DATA_DIR=/var/lib/ipo
EXPOSE 8000
CMD ["uvicorn", "server:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--no-access-log"]
