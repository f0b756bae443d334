"""``{% load city %}{% site_settings as site_settings %}``: the city's identity where no
request and so no context processor is at hand (e-mails, letters); ``{{ user|person_name }}``:
a login's name, family name first."""

from django import template

from organization import selectors
from organization.models import SiteSettings, person_name

register = template.Library()


@register.simple_tag(name="site_settings", takes_context=True)
def site_settings_tag(context):
    # The record the caller already read (a page's context processor, an e-mail's
    # context): an e-mail renders its signature twice (text and HTML).
    given = context.get("site_settings")
    if isinstance(given, SiteSettings):
        return given
    return selectors.site_settings()


@register.filter(name="person_name")
def person_name_filter(user) -> str:
    return (person_name(user) or user.get_username()) if user else ""
