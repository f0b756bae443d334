import factory
from django.contrib.auth import get_user_model

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
