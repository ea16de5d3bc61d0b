"""``{% calendar_gap_notice %}``: the administrators' warning that the holiday calendar runs out."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from applicants.workdays import calendar_gap, calendar_gap_message

register = template.Library()


@register.simple_tag
def calendar_gap_notice() -> str:
    gap = calendar_gap(timezone.localdate())
    if gap is None:
        return ""
    return format_html(
        '<ul class="messagelist"><li class="warning" id="calendar-gap">{}</li></ul>',
        calendar_gap_message(gap),
    )
