"""A faster ``ModelSerializer`` for what the API reads most (issue 15).

DRF rebuilds every field of a model serializer from the model on each request (choices, verbose
names, validators) and reads each field of each row through a generator, a ``try``, a dotted
source walk and a callable check. For a page of 25 households with their members that was about
a third of the request's CPU. ``ModelSerializer`` here:

- builds the fields of a serializer class once and gives each serializer a copy (DRF's own
  ``__deepcopy__`` of fields, as it does for declared ones): what ``ModelSerializer.get_fields``
  returns depends on the class alone; a subclass that adds fields per reader still does so on
  the copy;
- reads a field that is a plain column of the row (its source one concrete, non-relation field
  of the model, DRF's own ``get_attribute``) with one ``getattr``; every other field (dotted
  sources, methods, relations, nested serializers) exactly as DRF does.

The output is DRF's, field for field (``tests/weijiuni/test_fast_serializer.py``).
"""

from __future__ import annotations

import copy

from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject


class ModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._field_prototypes = prototypes
        return copy.deepcopy(prototypes)

    def _read_plan(self) -> list[tuple[str, serializers.Field, str | None]]:
        """(name, field, column attname or None) for each readable field, once per serializer
        (a list's rows share their child serializer)."""
        plan = self.__dict__.get("_plan")
        if plan is None:
            columns = {
                f.attname for f in self.Meta.model._meta.concrete_fields if not f.is_relation
            }
            plan = []
            for field in self._readable_fields:
                plain = (
                    type(field).get_attribute is drf_fields.Field.get_attribute
                    and len(field.source_attrs) == 1
                    and field.source_attrs[0] in columns
                )
                plan.append((field.field_name, field, field.source_attrs[0] if plain else None))
            self._plan = plan
        return plan

    def to_representation(self, instance):
        if not hasattr(instance, "_meta"):  # a mapping (or anything else): DRF's own way
            return super().to_representation(instance)
        ret = {}
        for name, field, column in self._read_plan():
            if column is not None:
                attribute = getattr(instance, column)
            else:
                try:
                    attribute = field.get_attribute(instance)
                except drf_fields.SkipField:
                    continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret
