"""Prevention models: the index page, and proposals from municipalities through moderation.

A proposal is never public before an editor approves it: a new model is an unpublished page
(live=False), and an update is a revision of the live page that stays unpublished. Either way
it enters a Wagtail workflow whose only task is approval by the portal editors' group;
approving the task publishes the latest revision.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from directory import permissions as p
from directory.models import Municipality, PreventionModelIndexPage, PreventionModelPage
from directory.services.deliveries import Message, deliveries_send_soon

WORKFLOW_NAME = "Moderering av forebyggingsmodeller"
TASK_NAME = "Godkjenning av portalredaktør"
INDEX_TITLE = "Forebyggingsmodeller"
INDEX_SLUG = "forebygging"

# Proposal form field -> page field. Term lists and grant schemes are many-to-many; the rest
# are text.
TEXT_FIELDS = (
    "title",
    "problem",
    "how_it_works",
    "partners_text",
    "resources",
    "how_to_start",
    "contact_role",
    "contact_email",
)
TERM_FIELDS = (
    "prevention_levels",
    "target_groups",
    "life_areas",
    "themes",
    "arenas",
    "municipality_sizes",
    "funding_sources",
    "fundable_by",
)


def prevention_index_ensure() -> PreventionModelIndexPage:
    """The one index page, under the default site's root page (created if missing)."""
    index = PreventionModelIndexPage.objects.first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site else Page.get_first_root_node()
    index = PreventionModelIndexPage(
        title=INDEX_TITLE,
        slug=INDEX_SLUG,
        show_in_menus=True,
        intro=(
            "Forebyggende grep som Nav-kontor og kommuner bruker, med hva som trengs for å komme "
            "i gang, hvilken dokumentasjon som finnes, og hvilke tilskudd som kan finansiere dem."
        ),
    )
    root.add_child(instance=index)
    index.save_revision(log_action=False).publish(log_action=False)
    return index


@transaction.atomic
def prevention_workflow_ensure() -> Workflow:
    """The moderation workflow for prevention models, assigned to the index page (safe to
    repeat): one group approval task for the portal editors."""
    group, _created = Group.objects.get_or_create(name=p.EDITOR_GROUP_NAME)
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(group)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    index = PreventionModelIndexPage.objects.first()
    if index is not None:
        WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


def _unique_slug(parent: Page, title: str) -> str:
    base = slugify(title)[:80] or "modell"
    # «foresla» is the proposal form's address under the index (directory.views.prevention).
    taken = {"foresla", *parent.get_children().values_list("slug", flat=True)}
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(page: PreventionModelPage, data: dict, municipalities: list[Municipality]) -> None:
    for name in TEXT_FIELDS:
        if name in data:
            setattr(page, name, data[name] or "")
    for name in TERM_FIELDS:
        if name in data:
            setattr(page, name, list(data[name] or []))
    # «Vi bruker også denne modellen»: the proposer's municipality is where it runs.
    page.municipalities = list(
        {m.pk: m for m in [*page.municipalities.all(), *municipalities]}.values()
    )


def _editors_notify(*, page: PreventionModelPage, revision_id: int, is_new: bool) -> None:
    editors = (
        Group.objects.filter(name=p.EDITOR_GROUP_NAME)
        .values_list("user__email", flat=True)
        .exclude(user__email__isnull=True)
        .exclude(user__is_active=False)
    )
    subject = (
        _("Nytt forslag til forebyggingsmodell: %(title)s")
        if is_new
        else _("Forslag til endring av forebyggingsmodell: %(title)s")
    ) % {"title": page.title}
    body = _(
        "En kommune har sendt inn et forslag. Det er ikke publisert. Gå gjennom forslaget og "
        "godkjenn det eller be om endringer i publiseringsløsningen."
    )
    deliveries_send_soon(
        [
            Message(
                key=f"prevention-proposal:{revision_id}:{email}",
                recipient=email,
                subject=subject,
                body=body,
                link=f"/admin/pages/{page.pk}/edit/",
            )
            for email in editors
            if email
        ]
    )


@transaction.atomic
def prevention_model_propose(*, by, data: dict, page: PreventionModelPage | None = None):
    """Save a proposed new model (an unpublished page) or an update (an unpublished revision
    of a live model) and send it to the editors' moderation workflow."""
    if not p.can_propose_prevention_model(by):
        raise PermissionDenied(_("Bare kommuneansatte kan foreslå forebyggingsmodeller."))
    index = PreventionModelIndexPage.objects.first()
    if index is None:
        raise ValidationError(_("Portalen har ingen oversikt over forebyggingsmodeller ennå."))
    workflow = prevention_workflow_ensure()
    municipalities = list(Municipality.objects.filter(memberships__user=by))
    is_new = page is None
    if is_new:
        page = PreventionModelPage(
            slug=_unique_slug(index, data.get("title", "")),
            live=False,
            owner=by,
            origin_municipality=municipalities[0] if municipalities else None,
        )
        _apply(page, data, municipalities)
        index.add_child(instance=page)
        revision = page.save_revision(user=by, log_action=True)
    else:
        page = PreventionModelPage.objects.select_for_update().get(pk=page.pk)
        if not page.live:
            raise ValidationError(_("Du kan bare foreslå endringer i publiserte modeller."))
        draft = page.get_latest_revision_as_object()
        _apply(draft, data, municipalities)
        # A revision only: the live model stays as it is until an editor approves.
        revision = draft.save_revision(user=by, log_action=True)
        page.refresh_from_db()
    state = page.current_workflow_state
    if state is None:
        workflow.start(page, by)
    elif state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(by)
    # A proposal already in review: approving it publishes the latest revision, this one.
    _editors_notify(page=page, revision_id=revision.pk, is_new=is_new)
    return page
