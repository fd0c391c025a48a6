"""Filtering of the audit trail, shared by the page and the API."""

import datetime

from django import forms

from portal.accounts import permissions as perms
from portal.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, help_text="Username")
    action = forms.CharField(required=False)
    object_type = forms.CharField(required=False, help_text="e.g. projects.environment")
    object_id = forms.CharField(required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "Must be on or after the 'since' date.")
        return cleaned


def filtered_events(user, params) -> tuple[AuditFilterForm, object]:
    form = AuditFilterForm(params)
    events = perms.scope(user, AuditEvent.objects.select_related("actor"))
    if not form.is_valid():
        return form, events.none()
    data = form.cleaned_data
    if data["actor"]:
        events = events.filter(actor_name=data["actor"])
    if data["action"]:
        events = events.filter(action=data["action"])
    if data["object_type"]:
        events = events.filter(object_type=data["object_type"])
    if data["object_id"]:
        events = events.filter(object_id=data["object_id"])
    if data["since"]:
        events = events.filter(created__date__gte=data["since"])
    if data["until"]:
        events = events.filter(created__date__lt=data["until"] + datetime.timedelta(days=1))
    return form, events
