"""What furigana cost a plain-Japanese (やさしい日本語) page: the same pages rendered in
Japanese and in plain Japanese, in process (Django's test client, no network), on the demo city
(seeded if missing); and the ruby pass alone on a page, first (analyser) and again
(memoised per text).

    .venv/bin/python bench/furigana_pages.py [--requests 30]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = ["/", "/book/", "/book/juminhyo/", "/privacy/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("STATIC_MANIFEST", "false")  # no collectstatic needed
    import django

    django.setup()
    from reservations.models import Procedure

    if not Procedure.objects.filter(code="juminhyo").exists():
        subprocess.run(
            [python, "manage.py", "seed_demo"], cwd=ROOT, check=True, capture_output=True
        )
    from django.conf import settings
    from django.test import Client

    from organization import furigana

    print("median of %d requests per page, in process" % args.requests)
    for path in PAGES:
        timings = {}
        for language in ("ja", "ja-easy"):
            client = Client(HTTP_HOST="127.0.0.1")
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            client.get(path, secure=True)  # warm up: templates, the analyser's dictionary
            samples = []
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(path, secure=True)
                samples.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
            timings[language] = statistics.median(samples) * 1000
        print(
            "%-20s ja %6.1f ms   ja-easy %6.1f ms   (+%.1f ms)"
            % (path, timings["ja"], timings["ja-easy"], timings["ja-easy"] - timings["ja"])
        )

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    html = client.get("/book/juminhyo/", secure=True).content.decode()
    furigana.segments.cache_clear()
    start = time.perf_counter()
    ruby = furigana.ruby_html(html)
    first = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    furigana.ruby_html(html)
    again = (time.perf_counter() - start) * 1000
    print(
        "ruby pass on /book/juminhyo/ (%d kB, %d ruby): first %.1f ms, again %.1f ms"
        % (len(html) // 1024, ruby.count("<ruby>"), first, again)
    )


if __name__ == "__main__":
    main()
