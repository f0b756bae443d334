import io

import factory
from django.contrib.auth import get_user_model
from PIL import Image

from organization import services
from organization.models import Department, Role


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部署{n}")
    name_en = factory.Sequence(lambda n: f"Division {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "山田"
    first_name = factory.Sequence(lambda n: f"太郎{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_staff_member(*, role: str = Role.COUNTER_STAFF, department=None, **user_fields):
    """A staff member created the way the app creates them: through the service."""
    user = UserFactory(**user_fields)
    return services.staff_member_assign(
        user=user, department=department or DepartmentFactory(), role=role
    )


# --- The city and its logo (the site settings) --------------------------------------------

# The site settings of the made-up city the tests fill in (the ``city`` fixture).
CITY = {
    "city_name": "さくら市",
    "city_name_en": "Sakura City",
    "address": "〒999-0001 さくら市中央1-1",
    "address_en": "1-1 Chuo, Sakura City 999-0001",
    "phone": "0999-11-2222",
    "opening_hours": "平日 9時〜17時",
    "opening_hours_en": "Weekdays 9:00–17:00",
    "website": "https://www.city.sakura.example.jp/",
}


def png(width=40, height=20, fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(out, format=fmt)
    return out.getvalue()


# SVGs that try to run or load something (the logo tests, and uploads in the admin).
HOSTILE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect/></svg>',
    "onload": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect onclick="x()"/></svg>'
    ),
    "foreignObject": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body '
        b'xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></body>'
        b"</foreignObject><rect/></svg>"
    ),
    "javascript link": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<a xlink:href="javascript:alert(1)"><rect/></a>'
        b'<use xlink:href="javascript:alert(2)"/><use href="JaVaScRiPt:alert(3)"/></svg>'
    ),
    "external reference": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<use xlink:href="https://evil.example/x.svg#a"/><image href="https://evil.example/t.png"/>'
        b'<rect fill="url(https://evil.example/f)"/></svg>'
    ),
    "data url": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:text/html,alert(1)"/>'
        b'<use href="data:image/svg+xml;base64,PHN2Zz4="/></svg>'
    ),
    "animation setting a link": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" '
        b'to="javascript:alert(1)"/><set attributeName="onclick" to="alert(1)"/></a></svg>'
    ),
    "css that loads": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/);'
        b'</style><rect style="fill:url(https://evil.example/x)"/>'
        b'<rect style="background:url(javascript:alert(1))"/></svg>'
    ),
    "foreign namespace": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
        b'<h:script>alert(1)</h:script><h:iframe src="https://evil.example/"/></svg>'
    ),
}


# SVGs with entities or a DTD, which are refused outright.
ENTITY_ATTACKS = {
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    ),
    "external dtd": (
        b'<?xml version="1.0"?><!DOCTYPE svg SYSTEM "https://evil.example/x.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    ),
}
