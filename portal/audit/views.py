from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from portal.accounts import permissions as perms
from portal.audit.filters import filtered_events
from portal.audit.models import AuditEvent


@login_required
def event_list(request):
    if not perms.can(request.user, perms.VIEW, AuditEvent):
        raise PermissionDenied(perms.describe_requirement(AuditEvent, perms.VIEW))
    form, events = filtered_events(request.user, request.GET)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "audit/event_rows.html" if request.htmx else "audit/event_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode()},
        status=200 if form.is_valid() else 400,
    )
