FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# Board packs: Debian's Chromium draws the chart images (kaleido) and prints the PDF; it needs
# fonts of its own on a slim image.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY mhsip mhsip
COPY wards wards
COPY measures measures
COPY spc spc
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=false SECRET_KEY=build-only-not-secret python manage.py collectstatic --no-input --verbosity 0
RUN useradd --create-home mhsip && chown -R mhsip /app
USER mhsip
EXPOSE 8000
