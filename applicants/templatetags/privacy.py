"""Show personal data only to who may see it: ``{{ person.id_number|id_number:unmasked }}``."""

from django import template

from applicants.idnumber import mask_id_number, mask_name, mask_phone

register = template.Library()


@register.filter
def id_number(value, unmasked):
    return value if unmasked else mask_id_number(value)


@register.filter
def person_name(value, unmasked):
    return value if unmasked else mask_name(value)


@register.filter
def phone(value, unmasked):
    return value if unmasked else mask_phone(value)
