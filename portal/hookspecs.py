"""Plateau's plugin hooks: this module is their reference documentation.

Plugins are modules or packages that implement some of these functions, decorated with
``hookimpl``::

    from portal.hookspecs import hookimpl

    @hookimpl
    def plateau_menu_items():
        return [MenuItem(label="Grafana", url="https://grafana.example", group="Tools")]

They are found through the ``plateau`` entry-point group (see docs/plugins.md). Plateau's
own features use the same hooks, so every hook here is exercised by the product itself.
Hooks only ever gain arguments: an implementation may accept fewer arguments than the
spec lists, and will keep working when arguments are added.
"""

import pluggy

PROJECT_NAME = "plateau"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def plateau_menu_items(user):
    """Entries for the portal's navigation.

    Return a list of :class:`portal.core.navigation.MenuItem`. ``user`` is the signed-in
    user (never anonymous), so a plugin can leave out entries that user may not use; set
    ``staff_only=True`` on an item to show it only to administrators. Items are grouped by
    ``group`` and sorted by ``weight`` then label. An item's ``url`` is either a path
    (``/plugins/hello/``), an absolute URL, or a URL name that ``reverse()`` resolves.
    """


@hookspec
def plateau_urls():
    """Web pages a plugin serves.

    Return a list of Django URL patterns (``django.urls.path`` / ``re_path``). They are
    mounted under ``/plugins/``, so a pattern ``path("hello/", view)`` answers at
    ``/plugins/hello/``. Views must check permissions themselves; use
    ``portal.accounts.permissions`` for team-scoped objects and ``login_required`` for
    anything that is not public.
    """


@hookspec
def plateau_api_routes():
    """REST API endpoints a plugin adds under ``/api/v1/``.

    Return a list of ``(prefix, viewset, basename)`` tuples; each is registered on the
    same Django REST Framework router as Plateau's own endpoints, so it inherits token
    and session authentication and appears in the OpenAPI schema at ``/api/schema/``.
    The default permission class (role-based, per team) applies unless the viewset sets
    its own ``permission_classes``.
    """


@hookspec
def plateau_audit_event(event):
    """Called after every audit event is stored (and its transaction committed).

    ``event`` is a :class:`portal.audit.models.AuditEvent`: ``actor``, ``action``
    (``create``, ``update``, ``delete``, ``login``, ``logout``, ``login_failed`` and the
    actions later features add), ``object_type``, ``object_id``, ``object_repr``,
    ``changes`` (a before/after summary from which secrets are already removed) and
    ``created``. Use it to forward the audit trail to a SIEM or a log pipeline; the
    built-in ``audit_log`` plugin writes each event as one JSON line to the
    ``plateau.audit`` logger. Exceptions raised here are logged and do not undo the change.
    """


@hookspec
def plateau_validate_stack(stack, path):
    """Extra checks on a stack version, run when the catalog imports it.

    ``stack`` is the parsed :class:`iac.stacks.Stack`, ``path`` the folder of its
    snapshot (a :class:`pathlib.Path`; do not modify it). Return a list of
    :class:`iac.problems.Problem`; any problem with severity ``"error"`` keeps the
    version out of the catalog, exactly like the built-in schema and tool checks, and
    every problem is shown in the version's validation report. Use it for house rules
    ("every stack names an owning team", "no public S3 buckets").
    """


@hookspec
def plateau_engines():
    """Infrastructure engines that stack steps can name in ``engine:``.

    Return a dict mapping engine names to :class:`iac.engines.base.Engine` subclasses.
    The built-in ``engines`` plugin registers ``terraform``, ``opentofu``, ``ansible`` and
    ``helm``; a plugin may add one (e.g. ``pulumi``) or replace one by using its name,
    the last registered plugin winning.
    """


@hookspec
def plateau_credential_types():
    """Kinds of credential Plateau can store and hand to runs.

    Return a list of :class:`portal.credentials.types.CredentialType`: its ``kind``
    (e.g. ``"postgresql"``), a label, its fields (which ones are secret), and how it
    reaches a run (environment variables, files in the run's private workspace). The
    built-in ``credential_types`` plugin provides AWS keys, generic environment
    variables, SSH private keys, kubeconfigs, PostgreSQL and RabbitMQ connections.
    """


@hookspec
def plateau_run_finished(run):
    """Called once when a run reaches a final status (succeeded, failed, cancelled,
    rejected or lost), after its status is stored.

    ``run`` is a :class:`portal.deployments.models.Run` with its deployment, kind,
    status, summary and timestamps. Use it for notifications: the built-in ``webhook``
    plugin posts a JSON summary to the URLs configured in ``PLATEAU_WEBHOOK_URLS``. It
    runs in the Celery worker; exceptions are logged and do not change the run.
    """


@hookspec
def plateau_deployment_panels(deployment, user):
    """Extra panels on a deployment's page.

    Return a list of :class:`portal.deployments.panels.Panel` (a title and HTML that the
    plugin has escaped or rendered from a template). ``user`` may view the deployment;
    show nothing they may not see. Built-in panels use this hook too (the estimate, the
    infrastructure map).
    """


@hookspec
def plateau_run_panels(run, user):
    """Extra panels on a run's page, under its steps.

    Return a list of :class:`portal.deployments.panels.Panel`, like
    ``plateau_deployment_panels``. ``user`` may view the run. The panels are rendered
    again whenever the page refreshes the run's summary (new log lines or a new status),
    so keep them cheap; a panel waiting for something that appears once the run's task
    ends may poll for itself with htmx. The built-in estimate panel uses this hook, so
    an approver sees what the plan will cost and emit.
    """


@hookspec
def plateau_approval_reasons(run):
    """Reasons a planned run must wait for an approver before it applies.

    Called in the worker once ``run`` (an apply or destroy with changes) is planned: its
    steps hold their plans. Return a list of sentences, each saying why (an empty list
    for none); any reason from any plugin, or the environment's ``approval_required``,
    makes the run wait, and the reasons are written to its log. A plugin that raises is
    taken as a reason, so a broken check never lets a run through. The built-in
    ``finops`` plugin asks for approval when the run takes its environment over budget
    (``approval_over_budget``).
    """


@hookspec
def plateau_importers():
    """Importers that turn existing infrastructure into Terraform.

    Return a dict mapping importer names to :class:`iac.importers.base.Importer`
    subclasses. The built-in ``importers`` plugin registers ``aws`` and ``tfstate``.
    """


@hookspec
def plateau_price_catalogs():
    """Price catalogs for cost estimates.

    Return a list of price catalogs (see ``iac.estimate.catalog``): each carries its
    provider, currency, source URL and date. The built-in ``pricing`` plugin ships AWS,
    Azure, GCP, Scaleway and Hetzner catalogs as data files; a plugin can add a
    provider, or a negotiated price list that replaces the published one.
    """


@hookspec
def plateau_carbon_factors():
    """Grid emission factors (kgCO2e per kWh) for carbon estimates.

    Return a list of factor tables (see ``iac.estimate``), each mapping a provider's
    regions (or countries) to a factor with its source. The built-in ``pricing`` plugin
    provides the cloud regions and, through codecarbon's bundled data, every country.
    """
