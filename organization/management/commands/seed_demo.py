"""Load the demo city: departments and staff of every role, then each app's demo data.

Idempotent. Each app that has demo data provides ``<app>/demo.py`` with a function
``seed(stdout)``, run in INSTALLED_APPS order through the app's own services, so a new
user always sees everything that exists (and organization depends on no other app).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from organization import services
from organization.logo import logo_clean
from organization.models import Role

DEMO_PASSWORD = "madoguchi-demo"

DEPARTMENTS = [
    # code, name, English name, phone, location, English location
    (
        "shimin",
        "市民課",
        "Citizens Division",
        "0120-000-101",
        "本庁舎1階 1〜4番窓口",
        "Main building, 1st floor, counters 1–4",
    ),
    (
        "fukushi",
        "福祉課",
        "Welfare Division",
        "0120-000-102",
        "本庁舎1階 5〜7番窓口",
        "Main building, 1st floor, counters 5–7",
    ),
    (
        "zeimu",
        "税務課",
        "Taxation Division",
        "0120-000-103",
        "本庁舎2階",
        "Main building, 2nd floor",
    ),
    (
        "johoseisaku",
        "情報政策課",
        "Information Policy Division",
        "0120-000-104",
        "本庁舎3階",
        "Main building, 3rd floor",
    ),
    (
        "koho",
        "広報課",
        "Public Relations Division",
        "0120-000-105",
        "本庁舎3階",
        "Main building, 3rd floor",
    ),
    ("homu", "法務担当", "Legal Affairs", "0120-000-106", "本庁舎4階", "Main building, 4th floor"),
]

STAFF = [
    # username, last name, first name, department, role, heads the department
    ("admin", "管理", "太郎", "johoseisaku", Role.ADMINISTRATOR, False),
    ("manager", "高橋", "誠", "shimin", Role.MANAGER, True),
    ("clerk1", "佐藤", "花子", "shimin", Role.COUNTER_STAFF, False),
    ("clerk2", "鈴木", "一郎", "shimin", Role.COUNTER_STAFF, False),
    ("clerk3", "田中", "美咲", "shimin", Role.COUNTER_STAFF, False),
    ("clerk4", "伊藤", "健", "shimin", Role.COUNTER_STAFF, False),
    ("fukushi1", "渡辺", "由美", "fukushi", Role.COUNTER_STAFF, False),
    ("fukushi2", "松本", "亮", "fukushi", Role.COUNTER_STAFF, False),
    ("fukushi3", "井上", "さくら", "fukushi", Role.DEPARTMENT_STAFF, False),
    ("fukushi_head", "山本", "修", "fukushi", Role.MANAGER, True),
    ("zeimu1", "中村", "直樹", "zeimu", Role.DEPARTMENT_STAFF, False),
    ("koho1", "小林", "彩", "koho", Role.DEPARTMENT_STAFF, False),
    ("homu1", "加藤", "大輔", "homu", Role.DEPARTMENT_STAFF, False),
]


# A made-up city: みどり市 ("green city"), its leaf in a circle as the logo.
CITY = {
    "city_name": "みどり市",
    "city_name_en": "Midori City",
    "address": "〒123-0001 みどり市本町1丁目1番1号",
    "address_en": "1-1-1 Honcho, Midori City 123-0001",
    "phone": "0120-000-100",
    "opening_hours": "平日 8時30分〜17時15分（土日祝日・年末年始を除く）",
    "opening_hours_en": (
        "Weekdays 8:30–17:15 (closed on weekends, public holidays and 29 Dec–3 Jan)"
    ),
    "website": "https://www.city.midori.example.jp/",
}
LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img">
<title>みどり市</title>
<circle cx="32" cy="32" r="30" fill="#1b7a3d"/>
<path d="M18 44 C18 24 32 14 48 14 C48 32 38 46 20 46 Z" fill="#ffffff"/>
<path d="M20 46 C28 36 34 30 42 22" stroke="#1b7a3d" stroke-width="3" fill="none"
 stroke-linecap="round"/>
</svg>""".encode()


class Command(BaseCommand):
    help = "Load the demo city (departments, staff of every role). Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        services.role_groups_ensure()
        services.site_settings_update(logo=logo_clean(LOGO_SVG), **CITY)
        departments = {}
        for order, row in enumerate(DEPARTMENTS, start=1):
            code, name, name_en, phone, location, location_en = row
            departments[code] = services.department_upsert(
                code=code,
                name=name,
                name_en=name_en,
                phone=phone,
                location=location,
                location_en=location_en,
                display_order=order * 10,
            )
        logins = []
        for username, last_name, first_name, code, role, is_head in STAFF:
            member = services.staff_member_create(
                username=username,
                password=DEMO_PASSWORD,
                department=departments[code],
                role=role,
                last_name=last_name,
                first_name=first_name,
                email=f"{username}@city.example.jp",
            )
            if is_head:
                services.department_set_head(department=departments[code], head=member)
            logins.append((username, Role(role).label, departments[code].name))

        for app_config in apps.get_app_configs():
            module_name = "%s.demo" % app_config.name
            if app_config.name != "organization" and find_spec(module_name):
                import_module(module_name).seed(self.stdout)

        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("Staff logins (password for all: %s):" % DEMO_PASSWORD)
        for username, role_label, department_name in logins:
            self.stdout.write("  %-14s %-16s %s" % (username, role_label, department_name))
