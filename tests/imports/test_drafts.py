"""A result becomes a draft stack (unpublished source), then a published one."""

from pathlib import Path

import yaml
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.catalog.models import StackSource, StackVersion
from portal.imports.models import ImportJob
from tests.factories import ImportJobFactory


def test_a_platform_engineer_drafts_then_publishes(client, people, finished_job, settings):
    client.force_login(people["platform_engineer"])
    response = client.post(reverse("imports:make_draft", args=[finished_job.pk]))
    assert response.status_code == 302
    job = ImportJob.objects.get(pk=finished_job.pk)
    draft = job.draft_version
    assert draft is not None and draft.status == StackVersion.Status.VALID, draft.report
    assert draft.stack.slug == f"shop-import-{job.pk}-draft"
    source = draft.stack.source
    assert (source.name, source.published) == ("imported-drafts", False)
    folder = Path(settings.DATA_DIR) / "stack-drafts" / draft.stack.slug
    definition = yaml.safe_load((folder / "stack.yaml").read_text())
    assert definition["steps"] == [
        {
            "name": "infrastructure",
            "title": "Imported resources",
            "engine": "terraform",
            "path": "terraform",
        }
    ]
    assert definition["team"] == "payments"
    assert (folder / "terraform" / "imports.tf").read_text() == job.files["imports.tf"]
    assert "README.md" not in {p.name for p in (folder / "terraform").iterdir()}
    assert draft.readme == job.files["README.md"]
    assert draft.stack.team == job.project.team
    assert AuditEvent.objects.filter(action="draft_stack", object_id=str(job.pk)).exists()

    # The platform team edits the draft; publishing takes it as it is then.
    (folder / "terraform" / "notes.tf").write_text("# reviewed by the platform team\n")
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("imports:publish", args=[job.pk]) in page
    client.post(reverse("imports:publish", args=[job.pk]))
    job.refresh_from_db()
    published = job.published_version
    assert published.stack.slug == f"shop-import-{job.pk}"
    assert published.stack.name == f"Shop import #{job.pk}"
    assert (published.stack.source.name, published.stack.source.published) == ("imported", True)
    assert (published.files_path / "terraform" / "notes.tf").is_file()
    assert job.draft_version != draft  # the edited draft is a new version of the draft
    assert AuditEvent.objects.filter(action="publish_stack", object_id=str(job.pk)).exists()


def test_developers_cannot_draft(client, people, finished_job):
    client.force_login(people["developer"])
    response = client.post(reverse("imports:make_draft", args=[finished_job.pk]))
    assert response.status_code == 403
    assert client.post(reverse("imports:publish", args=[finished_job.pk])).status_code == 403
    assert not StackSource.objects.filter(name="imported-drafts").exists()


def test_publishing_needs_a_draft_and_drafting_a_result(client, people, project):
    client.force_login(people["platform_engineer"])
    failed = ImportJobFactory(project=project, status="failed")
    response = client.post(reverse("imports:make_draft", args=[failed.pk]), follow=True)
    assert "Only a succeeded import that found resources can become a stack." in (
        response.content.decode()
    )
    response = client.post(reverse("imports:publish", args=[failed.pk]), follow=True)
    assert "Make a draft stack first." in response.content.decode()
    assert not StackVersion.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["draft_stack", "publish_stack"]).exists()


def test_an_invalid_draft_is_not_published(client, people, finished_job, settings):
    client.force_login(people["platform_engineer"])
    client.post(reverse("imports:make_draft", args=[finished_job.pk]))
    job = ImportJob.objects.get(pk=finished_job.pk)
    folder = Path(settings.DATA_DIR) / "stack-drafts" / job.draft_version.stack.slug
    (folder / "stack.yaml").write_text("stack_format: 1\nname: [broken\n")
    response = client.post(reverse("imports:publish", args=[job.pk]), follow=True)
    assert "does not pass validation; fix it first." in response.content.decode()
    job.refresh_from_db()
    assert job.published_version is None
    assert not StackSource.objects.filter(name="imported").exists()
