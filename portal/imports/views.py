from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from iac.hcl import zip_files
from portal.accounts import permissions as perms
from portal.core import generic
from portal.imports import drafts, maps
from portal.imports.apps import DRAFT, PUBLISH
from portal.imports.forms import FORMS, AwsImportForm, TfStateImportForm
from portal.imports.models import ImportJob
from portal.imports.summary import estimate_summary

JOBS = ImportJob.objects.select_related("project__team", "environment", "created_by")


class ImportJobListView(generic.ObjectListView):
    model = ImportJob
    queryset = JOBS
    columns = [
        ("__str__", "Import"),
        ("project", "Project"),
        ("project.team", "Team"),
        ("get_status_display", "Status"),
        ("resource_count", "Resources"),
        ("created_by", "Started by"),
        ("created", "Started"),
    ]
    search_fields = ["importer", "status", "project__name", "project__team__name"]
    add_url_name = "imports:start"


@login_required
def start(request, importer=None):
    """GET: the two ways to start an import. POST (to one importer): start it."""
    if not perms.can(request.user, perms.ADD, ImportJob):
        raise PermissionDenied(perms.describe_requirement(ImportJob, perms.ADD))
    forms = {
        "aws": AwsImportForm(user=request.user, prefix="aws"),
        "tfstate": TfStateImportForm(user=request.user, prefix="tfstate"),
    }
    if request.method == "POST":
        if importer not in FORMS:
            raise Http404("No such importer.")
        form = FORMS[importer](request.POST, request.FILES, user=request.user, prefix=importer)
        if form.is_valid():
            job = form.start()
            messages.success(request, f"Started {job}.")
            return redirect(job.get_absolute_url())
        forms[importer] = form
        return render(
            request, "imports/start.html", {"forms": forms, "active": importer}, status=400
        )
    return render(request, "imports/start.html", {"forms": forms, "active": "aws"})


def _job(request, pk, action=perms.VIEW) -> ImportJob:
    return perms.get_for(request.user, JOBS, action, pk=pk)


def _result(request, pk) -> ImportJob:
    job = _job(request, pk)
    if job.status != ImportJob.Status.SUCCEEDED:
        raise Http404("This import has no result.")
    return job


@login_required
def job_detail(request, pk):
    job = _job(request, pk)
    user = request.user
    context = {
        "object": job,
        "title": str(job),
        "can_draft": perms.can(user, DRAFT, job),
        "can_publish": perms.can(user, PUBLISH, job),
        "files": [(name, text) for name, text in job.files.items() if name != "README.md"],
        "readme": job.files.get("README.md", ""),
        "estimate": estimate_summary(job.estimate),
        # Safe to inline: iac.graph escapes every label and attribute it writes, and the
        # names in it come from the cloud (tests/imports/test_maps.py checks it).
        "map_svg": mark_safe(maps.render(job.graph, "svg")) if job.graph.get("nodes") else "",
        "formats": maps.FORMATS,
    }
    return render(request, "imports/job_detail.html", context)


@login_required
def job_progress(request, pk):
    """Polled by the job page while the import runs; once it ends, the page reloads to
    show the result, and the polling stops with it."""
    job = _job(request, pk)
    if job.done:
        response = HttpResponse(f"<p>{job.get_status_display()}: reload the page.</p>")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/job_progress.html", {"object": job})


@login_required
def download_zip(request, pk):
    job = _result(request, pk)
    response = HttpResponse(zip_files(job.files), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}.zip"'
    return response


@login_required
def download_map(request, pk, fmt):
    job = _result(request, pk)
    if fmt not in maps.FORMATS:
        raise Http404("No such map format.")
    _, content_type, extension = maps.FORMATS[fmt]
    response = HttpResponse(maps.render(job.graph, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-map.{extension}"'
    return response


@login_required
@require_POST
def make_draft(request, pk):
    job = _job(request, pk, DRAFT)
    try:
        version = drafts.make_draft(job)
    except drafts.DraftError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Draft stack {version} is {version.get_status_display()}.")
    return redirect(job.get_absolute_url())


@login_required
@require_POST
def publish(request, pk):
    job = _job(request, pk, PUBLISH)
    try:
        version = drafts.publish(job)
    except drafts.DraftError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Published {version} in the catalog.")
    return redirect(job.get_absolute_url())
