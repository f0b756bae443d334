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
from organization.translation import text_columns, texts

DEMO_PASSWORD = "madoguchi-demo"


def _floor(number: int, brazil_floor: str) -> dict[str, str]:
    # A Japanese 1階 is the ground floor: in Brazil "térreo", 2階 the "1º andar".
    return texts(
        "本庁舎%d階" % number,
        "本庁舎の%d階" % number,
        "Main building, floor %d" % number if number > 3 else _ENGLISH_FLOORS[number],
        "主楼%d层" % number,
        "본청사 %d층" % number,
        "Tòa nhà chính, tầng %d" % number,
        "Prédio principal, %s" % brazil_floor,
    )


_ENGLISH_FLOORS = {2: "Main building, 2nd floor", 3: "Main building, 3rd floor"}

DEPARTMENTS = [
    # code, name, phone, location — the texts in every citizen language
    (
        "shimin",
        texts(
            "市民課",
            "市民課",
            "Citizens Division",
            "市民课",
            "시민과",
            "Ban Thị dân",
            "Divisão de Atendimento ao Cidadão",
        ),
        "0120-000-101",
        texts(
            "本庁舎1階 1〜4番窓口",
            "本庁舎の1階 1〜4番の窓口",
            "Main building, 1st floor, counters 1–4",
            "主楼1层 1~4号窗口",
            "본청사 1층 1~4번 창구",
            "Tòa nhà chính, tầng 1, quầy số 1–4",
            "Prédio principal, térreo, guichês 1 a 4",
        ),
    ),
    (
        "fukushi",
        texts(
            "福祉課",
            "福祉課",
            "Welfare Division",
            "福利课",
            "복지과",
            "Ban Phúc lợi",
            "Divisão de Bem-Estar Social",
        ),
        "0120-000-102",
        texts(
            "本庁舎1階 5〜7番窓口",
            "本庁舎の1階 5〜7番の窓口",
            "Main building, 1st floor, counters 5–7",
            "主楼1层 5~7号窗口",
            "본청사 1층 5~7번 창구",
            "Tòa nhà chính, tầng 1, quầy số 5–7",
            "Prédio principal, térreo, guichês 5 a 7",
        ),
    ),
    (
        "zeimu",
        texts(
            "税務課",
            "税務課",
            "Taxation Division",
            "税务课",
            "세무과",
            "Ban Thuế",
            "Divisão de Impostos",
        ),
        "0120-000-103",
        _floor(2, "1º andar"),
    ),
    (
        "johoseisaku",
        texts(
            "情報政策課",
            "情報政策課",
            "Information Policy Division",
            "信息政策课",
            "정보정책과",
            "Ban Chính sách Thông tin",
            "Divisão de Política de Informação",
        ),
        "0120-000-104",
        _floor(3, "2º andar"),
    ),
    (
        "koho",
        texts(
            "広報課",
            "広報課",
            "Public Relations Division",
            "宣传课",
            "홍보과",
            "Ban Quan hệ Công chúng",
            "Divisão de Relações Públicas",
        ),
        "0120-000-105",
        _floor(3, "2º andar"),
    ),
    (
        "homu",
        texts(
            "法務担当",
            "法務担当",
            "Legal Affairs",
            "法务组",
            "법무 담당",
            "Bộ phận Pháp vụ",
            "Assuntos Jurídicos",
        ),
        "0120-000-106",
        _floor(4, "3º andar"),
    ),
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
    **text_columns(
        "city_name",
        texts(
            "みどり市",
            "みどり市",
            "Midori City",
            "绿市",
            "미도리시",
            "Thành phố Midori",
            # "Prefeitura de Midori", "Site de Midori": the name alone reads right.
            "Midori",
        ),
    ),
    # The postal address stays Japanese in Chinese and Korean (it is what the envelope
    # and the map say); the Latin-script languages get it romanised.
    **text_columns(
        "address",
        texts(
            "〒123-0001 みどり市本町1丁目1番1号",
            "",
            "1-1-1 Honcho, Midori City 123-0001",
            "",
            "",
            "1-1-1 Honcho, Midori City 123-0001",
            "1-1-1 Honcho, Midori 123-0001",
        ),
    ),
    "phone": "0120-000-100",
    **text_columns(
        "opening_hours",
        texts(
            "平日 8時30分〜17時15分（土日祝日・年末年始を除く）",
            "月曜日から金曜日 8時30分〜17時15分（土曜日・日曜日・祝日・年末年始は休み）",
            "Weekdays 8:30–17:15 (closed on weekends, public holidays and 29 Dec–3 Jan)",
            "工作日 8:30–17:15（周六、周日、节假日及12月29日至1月3日休息）",
            "평일 8:30~17:15 (토·일요일, 공휴일, 12월 29일~1월 3일 휴무)",
            "Ngày thường 8:30–17:15 (nghỉ thứ Bảy, Chủ nhật, ngày lễ và từ 29/12 đến 3/1)",
            "Dias úteis, das 8h30 às 17h15 (fechado aos sábados, domingos, feriados e de "
            "29/12 a 3/1)",
        ),
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
        for order, (code, name, phone, location) in enumerate(DEPARTMENTS, start=1):
            translations = {
                **text_columns("name", name),
                **text_columns("location", location),
            }
            departments[code] = services.department_upsert(
                code=code,
                name=translations.pop("name_ja"),
                phone=phone,
                location=translations.pop("location_ja"),
                display_order=order * 10,
                **translations,
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
