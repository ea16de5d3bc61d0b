"""``get_FOO_display()`` without rebuilding a field's choices on every call (issue 15).

Django's ``Model._get_FIELD_display`` makes a dict of all of the field's choices each time it
is called, and hashing a lazy label translates it: a page of 50 cases showing state, channel
and deadline kind translated about 1,600 labels, a seventh of the inbox's CPU. Here the labels
of a field are translated once per language and kept; a value outside the choices (or one
that cannot be a key) is answered by Django's own method, so the result is the same.
"""

from __future__ import annotations

import functools

from django.utils import translation


@functools.lru_cache(maxsize=1024)
def _labels(field, language: str | None) -> dict:
    return {value: str(label) for value, label in field.flatchoices}


class ChoiceLabels:
    """Mixed into a model before ``models.Model``: its ``get_FOO_display()`` read the cache."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            return _labels(field, translation.get_language())[value]
        except (KeyError, TypeError):
            return super()._get_FIELD_display(field)
