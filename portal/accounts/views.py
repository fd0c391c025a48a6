from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from portal.accounts import permissions as perms
from portal.accounts.forms import MembershipForm, TeamForm, TokenForm
from portal.accounts.models import Membership, Team
from portal.audit import recorder
from portal.core import generic


class TeamListView(generic.ObjectListView):
    model = Team
    queryset = Team.objects.all()
    columns = [("name", "Name"), ("slug", "Slug"), ("description", "Description")]
    search_fields = ["name", "slug", "description"]
    add_url_name = "accounts:team_add"


class TeamDetailView(generic.ObjectDetailView):
    model = Team
    queryset = Team.objects.all()
    template_name = "accounts/team_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        team = self.object
        context["memberships"] = team.memberships.select_related("user")
        context["projects"] = team.projects.all()
        context["can_manage_members"] = perms.can(user, perms.ADD, Membership, team_id=team.pk)
        return context


class TeamEditView(generic.ObjectEditView):
    model = Team
    form_class = TeamForm


class TeamDeleteView(generic.ObjectDeleteView):
    model = Team
    success_url_name = "accounts:team_list"


class MembershipEditView(generic.ObjectEditView):
    model = Membership
    form_class = MembershipForm


class MembershipDeleteView(generic.ObjectDeleteView):
    model = Membership

    def success_url(self, obj):
        return reverse("accounts:team_detail", args=[obj.team_id])


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The signed-in user's roles and API token. A new token is shown once, then only its
    first characters, the way one shows any other secret."""
    new_key = None
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "accounts/profile.html", _profile_context(request, form), status=400
            )
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            new_key = Token.objects.create(user=request.user).key
            recorder.record("token_rotate", request.user)
        messages.success(
            request, "A new API token was created. Copy it now: it is not shown again."
        )
        form = TokenForm()
    return render(request, "accounts/profile.html", _profile_context(request, form, new_key))


def _profile_context(request, form, new_key=None):
    token = Token.objects.filter(user=request.user).first()
    return {
        "form": form,
        "new_key": new_key,
        "token_hint": f"{token.key[:6]}…" if token and not new_key else None,
        "memberships": Membership.objects.filter(user=request.user).select_related("team"),
    }
