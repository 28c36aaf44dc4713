"""The agreements dashboard: what needs doing soon, for everyone who takes part in agreements."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements import permissions as p
from agreements.selectors import agreements_dashboard
from directory.models import MunicipalityMembership, NavOffice, NavOfficeMembership


class DashboardFilterForm(forms.Form):
    """Narrows the dashboard to one of the user's own Nav offices or municipalities."""

    gjelder = forms.ChoiceField(label=gettext_lazy("Vis avtaler for"), required=False)

    def __init__(self, *args, scopes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gjelder"].choices = [("", _("Alle mine avtaler")), *scopes]


def _scopes(user) -> list[tuple[str, str]]:
    offices = NavOfficeMembership.objects.filter(user=user).select_related("office")
    municipalities = MunicipalityMembership.objects.filter(user=user).select_related("municipality")
    return [(f"kontor-{m.office_id}", m.office.name) for m in offices] + [
        (f"kommune-{m.municipality_id}", _("%(name)s kommune") % {"name": m.municipality.name})
        for m in municipalities
    ]


def _matches(scope: str):
    """A test on an agreement's (prefetched) parties for the chosen office or municipality."""
    kind, _sep, pk = scope.partition("-")
    pk = int(pk)
    if kind == "kontor":
        return lambda party: party.nav_office_id == pk
    serving = set(NavOffice.objects.filter(municipalities=pk).values_list("pk", flat=True))
    return lambda party: (
        party.municipality_id == pk
        or party.public_service_municipality_id == pk
        or party.nav_office_id in serving
    )


def _rows(agreements, date_field: str) -> list[dict]:
    return [{"agreement": a, "date": getattr(a, date_field)} for a in agreements]


@login_required
def agreement_dashboard(request):
    if not p.can_use_agreements(request.user):
        return render(request, "pages/agreement_dashboard.html", {"not_allowed": True}, status=403)
    today = timezone.localdate()
    data = agreements_dashboard(request.user, today=today)
    scopes = _scopes(request.user)
    form = DashboardFilterForm(request.GET or None, scopes=scopes)
    scope = form.cleaned_data.get("gjelder") if form.is_valid() else ""
    lists = {name: data[name] for name in ("overdue", "due_soon", "ending")}
    if scope:
        matches = _matches(scope)
        lists = {
            name: [a for a in agreements if any(matches(party) for party in a.parties.all())]
            for name, agreements in lists.items()
        }
    sections = [
        {
            "id": "forfalte",
            "title": _("Forfalte evalueringer"),
            "empty": _("Ingen evalueringer er forfalt."),
            "date_label": _("Frist"),
            "rows": _rows(lists["overdue"], "next_evaluation_due"),
            "evaluation": True,
        },
        {
            "id": "snart",
            "title": _("Evalueringer de neste %(days)s dagene") % {"days": data["soon_days"]},
            "empty": _("Ingen evalueringer de neste %(days)s dagene.")
            % {"days": data["soon_days"]},
            "date_label": _("Frist"),
            "rows": _rows(lists["due_soon"], "next_evaluation_due"),
            "evaluation": True,
        },
        {
            "id": "utloper",
            "title": _("Avtaler som utløper de neste %(days)s dagene")
            % {"days": data["ending_days"]},
            "empty": _("Ingen avtaler utløper de neste %(days)s dagene.")
            % {"days": data["ending_days"]},
            "date_label": _("Sluttdato"),
            "rows": _rows(lists["ending"], "end_date"),
        },
    ]
    return render(
        request,
        "pages/agreement_dashboard.html",
        {
            "sections": sections,
            "today": today,
            "form": form if len(scopes) > 1 else None,
            "can_create": p.can_create_agreement(request.user),
        },
    )


urlpatterns = [path("intern/oversikt/", agreement_dashboard, name="agreement_dashboard")]
