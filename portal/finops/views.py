import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.accounts import permissions as perms
from portal.accounts.models import Team
from portal.core import generic
from portal.deployments.models import Run
from portal.finops import budgets
from portal.finops.access import check_may_change_book, may_change_book, may_view_book
from portal.finops.estimates import price_catalogs
from portal.finops.forms import PriceBookForm, PriceBookOverrideForm
from portal.finops.models import PriceBookOverride
from portal.finops.panels import render_run_estimate
from portal.finops.preview import preview_context
from portal.finops.price_books import default_book


@login_required
def price_book(request):
    if not may_view_book(request.user):
        raise PermissionDenied("You need a role in a team to read the price book.")
    user = request.user
    overrides = perms.scope(
        user, PriceBookOverride.objects.select_related("environment__project__team")
    )
    context = {
        "title": "Price book",
        "book": default_book(),
        "can_change": may_change_book(user),
        "can_add_override": perms.can(user, perms.ADD, PriceBookOverride),
        "overrides": [
            (override, perms.can(user, perms.CHANGE, override)) for override in overrides
        ],
        "catalogs": price_catalogs(),
    }
    return render(request, "finops/price_book.html", context)


@login_required
def price_book_edit(request):
    check_may_change_book(request.user)
    book = default_book()
    form = PriceBookForm(request.POST or None, instance=book)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, "Updated the price book.")
        return redirect("finops:price_book")
    context = {"form": form, "object": book, "title": "Edit the price book"}
    return render(
        request,
        "generic/object_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


class OverrideEditView(generic.ObjectEditView):
    model = PriceBookOverride
    form_class = PriceBookOverrideForm


class OverrideDeleteView(generic.ObjectDeleteView):
    model = PriceBookOverride
    success_url_name = "finops:price_book"


@login_required
@require_POST
def estimate_preview(request):
    """The deploy form's estimate, as an HTML fragment htmx swaps in as fields change."""
    return render(request, "finops/estimate_fragment.html", preview_context(request))


@login_required
def run_estimate(request, pk: int):
    """The run page's estimate panel, polled until the estimate is recorded."""
    run = perms.get_for(request.user, Run.objects.all(), perms.VIEW, pk=pk)
    return HttpResponse(render_run_estimate(run))


@login_required
def cost_report(request):
    """Every visible environment's deployed cost and carbon against its budget; ?team=
    narrows it to one team, ?format=csv downloads it."""
    teams = perms.scope(request.user, Team.objects.order_by("name"))
    team = request.GET.get("team", "")
    chosen = teams.filter(pk=team).first() if team.isdigit() else None
    rows = budgets.cost_report(request.user, chosen.pk if chosen else None)
    if request.GET.get("format") == "csv":
        return _csv_report(rows)
    context = {
        "title": "Cost and carbon report",
        "rows": rows,
        "totals": budgets.totals(rows),
        "teams": teams,
        "chosen": chosen,
        "measured_days": budgets.MEASURED_DAYS,
        "trend_days": budgets.TREND_DAYS,
    }
    return render(request, "finops/cost_report.html", context)


def _csv_report(rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="plateau-cost-report.csv"'
    dicts = [budgets.row_as_dict(row) for row in rows]
    writer = csv.DictWriter(response, fieldnames=budgets.REPORT_COLUMNS)
    writer.writeheader()
    for row in dicts:
        writer.writerow(
            {**row, "currencies_without_rate": " ".join(row["currencies_without_rate"])}
        )
    return response
