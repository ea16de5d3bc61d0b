"""Show personal data only as the reader may see it (applicants.masking decides):
``{{ person.id_number|id_number:unmasked }}``, ``{% with v=p|seen_as:unmasked %}``."""

from django import template

from applicants import masking

register = template.Library()


@register.filter
def id_number(value, unmasked):
    return value if unmasked else masking.mask_id_number(value)


@register.filter
def person_name(value, unmasked):
    return value if unmasked else masking.mask_name(value)


@register.filter
def phone(value, unmasked):
    return value if unmasked else masking.mask_phone(value)


@register.filter
def seen_as(person, unmasked):
    """A member as the reader may see them (``masking.PersonView``)."""
    return masking.PersonView(person, unmasked=bool(unmasked))


@register.filter
def place(village, unmasked):
    """Township · village, or the township alone for a masked reader."""
    return masking.place(village, unmasked=bool(unmasked))


@register.filter
def assessment(result, unmasked):
    """A rules result without the per-member facts for a masked reader."""
    return masking.assessment_result(result, unmasked=bool(unmasked))


@register.filter
def staff_text(text, unmasked):
    """Findings and reasons staff wrote: hidden from a masked reader."""
    return masking.free_text(text, unmasked=bool(unmasked))
