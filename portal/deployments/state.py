"""Terraform's HTTP state backend, served by Plateau per deployment step.

    GET    state (404 while there is none)
    POST   ?ID=<lock id>, body = state, header Content-MD5: every write is a StateVersion
    DELETE forget the state (history kept)
    LOCK   body = lock info; 423 with the holder's info when taken
    UNLOCK body = lock info (its ID must match)

Authentication is HTTP Basic: user ``run`` with the token of a run of this deployment
(signed, expires after PLATEAU_STATE_TOKEN_SECONDS), or a person's username with their
API token; reading needs the viewer role, writing and locking the developer role.
See docs/state.md.
"""

import base64
import binascii
import hashlib
import json

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.models import Token

from portal.accounts import permissions as perms
from portal.deployments import sealed
from portal.deployments.models import Deployment, Run, StateLock, StateVersion

RUN_USERNAME = "run"
_SALT = "plateau.deployments.state"
_READ_METHODS = {"GET", "HEAD"}


def run_token(run: Run) -> str:
    return signing.dumps({"run": run.pk, "deployment": run.deployment_id}, salt=_SALT)


def backend_address(deployment: Deployment, step: str) -> str:
    path = reverse("deployments:state", args=[deployment.pk, step])
    return settings.PLATEAU_STATE_URL.rstrip("/") + path


class _Denied(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message


def _authenticate(request, deployment: Deployment) -> tuple[Run | None, object | None]:
    """(run, None) for a run token, (None, user) for a person's API token."""
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise _Denied(401, "HTTP Basic authentication required")
    try:
        username, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _Denied(401, "malformed Basic credentials") from None
    if username == RUN_USERNAME:
        try:
            claims = signing.loads(
                password, salt=_SALT, max_age=settings.PLATEAU_STATE_TOKEN_SECONDS
            )
        except signing.SignatureExpired:
            raise _Denied(401, "the run's state token has expired") from None
        except signing.BadSignature:
            raise _Denied(401, "invalid run token") from None
        if claims.get("deployment") != deployment.pk:
            raise _Denied(403, "this token belongs to another deployment")
        run = Run.objects.filter(pk=claims.get("run")).first()
        if run is None or run.is_final:
            raise _Denied(403, "this token's run has ended")
        return run, None
    token = Token.objects.select_related("user").filter(key=password).first()
    if token is None or token.user.username != username or not token.user.is_active:
        raise _Denied(401, "invalid username or API token")
    user = token.user
    if not perms.can(user, perms.VIEW, deployment):
        raise _Denied(404, "no such deployment")
    if request.method not in _READ_METHODS and not perms.can(user, perms.CHANGE, deployment):
        raise _Denied(403, perms.describe_requirement(deployment, perms.CHANGE))
    return None, user


@csrf_exempt
def state_view(request, deployment_id: int, step: str):
    deployment = Deployment.objects.select_related("environment__project").filter(pk=deployment_id)
    deployment = deployment.first()
    if deployment is None:
        return HttpResponse("no such deployment\n", status=404, content_type="text/plain")
    try:
        run, user = _authenticate(request, deployment)
    except _Denied as denied:
        response = HttpResponse(denied.message + "\n", status=denied.status)
        if denied.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="Plateau state"'
        return response
    handler = _HANDLERS.get(request.method)
    if handler is None:
        return HttpResponse(status=405)
    return handler(request, deployment, step, run, user)


def _latest(deployment, step) -> StateVersion | None:
    return StateVersion.objects.filter(deployment=deployment, step=step).order_by("-id").first()


def _get(request, deployment, step, run, user):
    latest = _latest(deployment, step)
    if latest is None or not latest.state_sealed:
        return HttpResponse(status=404)
    body = sealed.unseal_bytes(latest.state_sealed)
    return HttpResponse(body, content_type="application/json")


def _lock_conflict(lock: StateLock) -> JsonResponse:
    return JsonResponse(lock.info, status=423)


def _post(request, deployment, step, run, user):
    body = request.body
    expected = request.headers.get("Content-MD5")
    if expected:
        actual = base64.b64encode(hashlib.md5(body).digest()).decode()
        if actual != expected:
            return HttpResponse("Content-MD5 does not match the body\n", status=400)
    try:
        state = json.loads(body)
        serial, lineage = int(state["serial"]), str(state["lineage"])
    except (ValueError, KeyError, TypeError):
        return HttpResponse("the body is not a Terraform state (serial, lineage)\n", status=400)
    with transaction.atomic():
        lock = StateLock.objects.select_for_update().filter(deployment=deployment, step=step)
        lock = lock.first()
        if lock is not None and lock.lock_id != request.GET.get("ID", ""):
            return _lock_conflict(lock)
        latest = _latest(deployment, step)
        if latest is not None and latest.state_sealed:
            if lineage != latest.lineage:
                return HttpResponse(
                    f"lineage {lineage} is not this state's ({latest.lineage})\n", status=409
                )
            if serial < latest.serial:
                return HttpResponse(
                    f"serial {serial} is older than the stored {latest.serial}\n", status=409
                )
        StateVersion.objects.create(
            deployment=deployment,
            step=step,
            serial=serial,
            lineage=lineage,
            md5=hashlib.md5(body).hexdigest(),
            state_sealed=sealed.seal_bytes(body),
            run=run,
            written_by=user,
        )
    return HttpResponse(status=200)


def _delete(request, deployment, step, run, user):
    # The history stays; an empty version marks the state as gone.
    latest = _latest(deployment, step)
    if latest is not None and latest.state_sealed:
        StateVersion.objects.create(
            deployment=deployment,
            step=step,
            serial=latest.serial,
            lineage=latest.lineage,
            md5="",
            state_sealed=b"",
            run=run,
            written_by=user,
        )
    return HttpResponse(status=200)


def _lock_info(request) -> dict | None:
    try:
        info = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return info if isinstance(info, dict) and info.get("ID") else None


def _lock(request, deployment, step, run, user):
    info = _lock_info(request)
    if info is None:
        return HttpResponse("the body must be Terraform's lock info with an ID\n", status=400)
    try:
        with transaction.atomic():
            StateLock.objects.create(
                deployment=deployment, step=step, lock_id=info["ID"], info=info, run=run
            )
    except IntegrityError:
        held = StateLock.objects.filter(deployment=deployment, step=step).first()
        if held is None:  # released in between: let Terraform retry
            return HttpResponse(status=409)
        return _lock_conflict(held)
    return HttpResponse(status=200)


def _unlock(request, deployment, step, run, user):
    info = _lock_info(request)
    held = StateLock.objects.filter(deployment=deployment, step=step).first()
    if held is None:
        return HttpResponse(status=200)
    if info is None or info["ID"] != held.lock_id:
        return _lock_conflict(held)
    held.delete()
    return HttpResponse(status=200)


_HANDLERS = {
    "GET": _get,
    "POST": _post,
    "DELETE": _delete,
    "LOCK": _lock,
    "UNLOCK": _unlock,
}
