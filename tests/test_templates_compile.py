"""Every template of the project compiles: an unknown tag or filter (a library not
loaded, a filter lost in a merge) fails here, not in front of a citizen on the one page
that uses it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateSyntaxError
from django.template.loader import get_template

ROOT = Path(settings.BASE_DIR) / "templates"
TEMPLATES = sorted(
    str(path.relative_to(ROOT)) for path in ROOT.rglob("*") if path.suffix in {".html", ".txt"}
)


def test_the_project_has_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_template_compiles(name):
    try:
        get_template(name)
    except TemplateSyntaxError as error:
        pytest.fail("%s: %s" % (name, error))
