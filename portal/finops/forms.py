from django import forms

from portal.core.generic import TeamScopedForm
from portal.finops.models import PriceBook, PriceBookOverride

PRICE_FIELDS = [
    "currency",
    "vcpu_hour",
    "memory_gb_hour",
    "storage_gb_month",
    "country",
    "storage_media",
]


class PriceBookForm(forms.ModelForm):
    class Meta:
        model = PriceBook
        fields = [*PRICE_FIELDS, "note"]


class PriceBookOverrideForm(TeamScopedForm):
    parent_field = "environment"

    class Meta:
        model = PriceBookOverride
        fields = ["environment", *PRICE_FIELDS]
