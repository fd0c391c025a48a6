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
