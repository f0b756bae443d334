# The server image: web (gunicorn), worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MADOGUCHI_VAR_DIR=/app/var

# Japanese font and font subsetting for the PDF letters (WeasyPrint); the letters' short
# lines in Chinese and Korean need WenQuanYi Micro Hei, Vietnamese DejaVu Sans.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-ipaexfont libharfbuzz-subset0 \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# Hashed static files are built into the image; SECRET_KEY here is only for this step.
RUN SECRET_KEY=collectstatic-only STATIC_MANIFEST=true python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app madoguchi && mkdir -p /app/var/media /app/var/beat && chown -R madoguchi /app/var
USER madoguchi

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
