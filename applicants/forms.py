from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Person, Region
from .validators import validate_phone


class HouseholdForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("所在村（居）"), queryset=Region.objects.none(), empty_label=_("请选择")
    )
    address = forms.CharField(label=_("住址"), max_length=200, required=False)

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if villages is not None:
            self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda r: f"{r.parent.name} · {r.name}"


class MemberForm(forms.ModelForm):
    id_number = forms.CharField(label=_("身份证号码"), max_length=30)
    phone = forms.CharField(
        label=_("手机号"), max_length=20, required=False, validators=[validate_phone]
    )
    monthly_income = forms.DecimalField(
        label=_("月收入（元）"), max_digits=12, decimal_places=2, min_value=0, initial=0
    )

    class Meta:
        model = Person
        fields = [
            "relation",
            "name",
            "id_number",
            "phone",
            "monthly_income",
            "disability_grade",
            "disability_type",
            "serious_illness",
            "self_care",
            "labour_capacity",
            "in_school",
            "bank_name",
            "bank_account",
        ]

    def validate_unique(self):
        """Uniqueness of the ID number is the service's to decide, with a clearer message."""


#: at most one household's worth of member forms is read (Django's default is 1,000)
MemberFormSet = forms.formset_factory(
    MemberForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=settings.HOUSEHOLD_MAX_MEMBERS,
    validate_max=True,
    absolute_max=settings.HOUSEHOLD_MAX_MEMBERS,
)
