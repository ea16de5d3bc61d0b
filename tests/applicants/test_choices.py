"""Cached choice labels (applicants.choices, issue 15) answer what Django's own
``get_FOO_display()`` answers: every choice of every field, in Chinese and in English, and a
value outside the choices as itself."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation

from applicants.choices import ChoiceLabels
from applicants.models import Application, Person, Region
from eligibility.models import Enrollment, Review
from eligibility.verification.models import VerificationRequest
from payments.models import Batch, Line

MODELS = [Region, Person, Application, Enrollment, Review, VerificationRequest, Batch, Line]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_labels_are_djangos_in_each_language(model, language):
    assert issubclass(model, ChoiceLabels)
    fields = [f for f in model._meta.concrete_fields if f.choices]
    assert fields, model
    with translation.override(language):
        for field in fields:
            for value in [v for v, _label in field.flatchoices] + ["no-such-choice", None]:
                obj = model()
                obj.__dict__[field.attname] = value  # FSM fields refuse setattr
                ours = getattr(obj, f"get_{field.name}_display")()
                django = models.Model._get_FIELD_display(obj, field)
                assert ours == django, (model, field.name, value, language)


def test_a_label_follows_the_language_of_the_request():
    app = Application(state="submitted")
    with translation.override("zh-hans"):
        chinese = app.get_state_display()
    with translation.override("en"):
        english = app.get_state_display()
    assert chinese != english
