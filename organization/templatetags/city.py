"""``{% load city %}{% site_settings as site_settings %}``: the city's identity where no
request and so no context processor is at hand (e-mails, letters)."""

from django import template

from organization import selectors

register = template.Library()


@register.simple_tag(name="site_settings")
def site_settings_tag():
    return selectors.site_settings()
