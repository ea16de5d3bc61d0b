"""Readable names for result codes (``dibao`` → 最低生活保障（低保）) in templates."""

from django import template

from eligibility.labels import RESULT_LABELS

register = template.Library()


@register.filter
def policy_label(code: str) -> str:
    return str(RESULT_LABELS.get(code, code))
