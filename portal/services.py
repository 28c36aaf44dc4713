"""Writes that belong to the portal itself: accounts and portal-wide roles."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from wagtail.log_actions import log

from directory.permissions import EDITOR_GROUP_NAME
from portal.models import User
from portal.permissions import can_assign_portal_role

# What a portal editor may do in Wagtail: reach the admin and work with pages, images,
# documents and snippets. Administrators are superusers.
EDITOR_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


@transaction.atomic
def editor_group_ensure() -> Group:
    """Create (or repair) the Wagtail group that portal editors belong to."""
    from wagtail.models import GroupPagePermission, Page

    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP_NAME)
    for app_label, codename in EDITOR_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    root = Page.get_first_root_node()
    if root is not None:
        for codename in ("add_page", "change_page", "publish_page", "lock_page"):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    return group


@transaction.atomic
def user_set_portal_role(*, user: User, role: str, by: User | None) -> User:
    """Give or take a portal-wide role; keeps Wagtail access in step and logs who did it."""
    if by is not None and not can_assign_portal_role(by):
        raise PermissionDenied("Bare administratorer kan endre roller i portalen.")
    if role not in User.PortalRole.values:
        raise ValueError(f"Ukjent rolle: {role!r}")
    previous = user.portal_role
    user.portal_role = role
    user.is_superuser = role == User.PortalRole.ADMINISTRATOR
    user.is_staff = role == User.PortalRole.ADMINISTRATOR
    user.save(update_fields=["portal_role", "is_superuser", "is_staff"])
    group = editor_group_ensure()
    if role == User.PortalRole.EDITOR:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    log(
        instance=user,
        action="portal.role_changed",
        user=by,
        data={"from": previous, "to": role},
    )
    return user


# --- The site shell ---------------------------------------------------------------------------

SHELL_PAGES = [
    {
        "slug": "om",
        "title": "Om Samarbeidsportalen",
        "intro": (
            "Samarbeidsportalen gir Nav-kontor, kommuner og frivillig sektor oversikt over "
            "frivillige tilbud, samarbeidsavtaler, tilskuddsordninger og forebyggingsmodeller."
        ),
        "body": [
            ("heading", "Hvorfor portalen finnes"),
            (
                "paragraph",
                "<p>Etter sosialtjenesteloven kapittel 3 skal Nav-kontoret drive forebyggende "
                "arbeid og samarbeide med frivillige organisasjoner. Portalen samler kunnskapen "
                "som ellers ligger hos enkeltpersoner.</p><p>Frivillige tilbud kommer i tillegg "
                "til offentlige tjenester og erstatter dem aldri.</p>",
            ),
        ],
    },
    {
        "slug": "tilgjengelighet",
        "title": "Tilgjengelighetserklæring",
        "intro": (
            "Samarbeidsportalen skal kunne brukes av alle. Her beskriver vi hvordan nettstedet "
            "oppfyller kravene til universell utforming (WCAG 2.1 nivå AA)."
        ),
        "body": [
            ("heading", "Status"),
            (
                "paragraph",
                "<p>Samarbeidsportalen er laget for å oppfylle kravene i forskrift om "
                "universell utforming av IKT-løsninger, det vil si WCAG 2.1 nivå AA. Vi mener "
                "at de offentlige sidene, Min side og de interne sidene for Nav-ansatte "
                "oppfyller kravene, med avvikene som står nedenfor.</p>"
                "<p>Slik har vi vurdert nettstedet: hver sidetype (forsiden, innholdssider, "
                "søk og tilbud, organisasjoner, tilskuddsordninger, forebyggingsmodeller, "
                "skjemaer med og uten feil, innlogging med tofaktor, Min side, "
                "samarbeidsavtaler og evalueringer, og feilsidene) kontrolleres automatisk med "
                "verktøyet axe-core hver gang koden endres, og vi godtar ingen alvorlige eller "
                "kritiske feil. De viktigste oppgavene, som å søke, filtrere, åpne et tilbud og "
                "logge inn, testes med tastatur alene, og vi kontrollerer at du alltid ser hvor "
                "du er på siden. Automatiske tester finner ikke alle typer feil, så meld gjerne "
                "fra om det du oppdager.</p>",
            ),
            ("heading", "Kjente avvik"),
            (
                "paragraph",
                "<ul><li>PDF-dokumenter som lastes opp til samarbeidsavtaler (for eksempel "
                "signerte avtaler), lager partene selv. De er ikke alltid universelt utformet. "
                "Be om innholdet i et annet format hvis du ikke kan lese dem.</li>"
                "<li>Publiseringsløsningen for redaktører (Wagtail) er et standardprodukt som "
                "har sin egen tilgjengelighetserklæring. Den er ikke vurdert av oss.</li>"
                "<li>Tekster som organisasjoner og redaktører skriver selv, kan mangle "
                "overskrifter eller beskrivende lenketekster. Vi retter slike feil når vi får "
                "vite om dem.</li></ul>",
            ),
            ("heading", "Meld fra om feil"),
            (
                "paragraph",
                "<p>Finner du noe som ikke virker med ditt hjelpemiddel, eller innhold du ikke "
                "får tilgang til, send en e-post til redaksjonen på adressen nederst på siden. "
                "Skriv hvilken side det gjelder og hva som ikke virker. Vi svarer innen 14 "
                "dager.</p>",
            ),
            ("heading", "Tilsyn og klage"),
            (
                "paragraph",
                "<p>Tilsynet for universell utforming av ikt (Uu-tilsynet) i "
                "Digitaliseringsdirektoratet fører tilsyn med at nettsteder oppfyller kravene. "
                "Får du ikke svar fra oss, eller er du ikke fornøyd med svaret, kan du melde fra "
                'til Uu-tilsynet på <a href="https://www.uutilsynet.no/">uutilsynet.no</a>.</p>',
            ),
        ],
    },
    {
        "slug": "personvern",
        "title": "Personvern",
        "intro": "Samarbeidsportalen lagrer aldri opplysninger om Navs brukere.",
        "body": [
            (
                "paragraph",
                "<p>Vi lagrer e-postadresse og navn for dem som logger inn, og kontaktpunkter "
                "for organisasjoner og kontorer, helst som funksjonsadresser. Ikke skriv "
                "personopplysninger om brukere i noen felt i portalen.</p>",
            ),
        ],
    },
]


@transaction.atomic
def site_shell_ensure() -> dict[str, int]:
    """Create the home page, the fixed content pages and footer settings if they are missing."""
    from wagtail.models import Locale, Page, Site

    from portal.models import ContentPage, HomePage, SiteShellSettings

    created = {"sider": 0}
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        if root is None:
            # Wagtail's migrations create the tree root; a flushed database (live-server tests,
            # a restored dump without it) needs it back before anything can be added.
            locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
            root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
        home = root.add_child(
            instance=HomePage(
                title="Samarbeidsportalen",
                slug="samarbeidsportalen",
                intro=(
                    "Finn frivillige tilbud, samarbeidsavtaler, tilskuddsordninger og gode "
                    "forebyggende modeller, for Nav-kontor, kommuner og frivillige organisasjoner."
                ),
            )
        )
        created["sider"] += 1
        # Wagtail's installer leaves a placeholder "Welcome" page as the site root.
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "localhost",
                "port": 80,
                "root_page": home,
                "site_name": "Samarbeidsportalen",
            },
        )
        Page.objects.filter(depth=2).exclude(pk=home.pk).filter(content_type__model="page").delete()
    pages = {}
    for spec in SHELL_PAGES:
        page = ContentPage.objects.child_of(home).filter(slug=spec["slug"]).first()
        if page is None:
            page = home.add_child(
                instance=ContentPage(
                    title=spec["title"],
                    slug=spec["slug"],
                    intro=spec["intro"],
                    body=list(spec["body"]),
                    show_in_menus=spec["slug"] == "om",
                )
            )
            created["sider"] += 1
        pages[spec["slug"]] = page
    site = Site.objects.get(is_default_site=True)
    shell = SiteShellSettings.for_site(site)
    if shell.accessibility_statement_page_id is None or shell.privacy_page_id is None:
        shell.accessibility_statement_page = (
            shell.accessibility_statement_page or pages["tilgjengelighet"]
        )
        shell.privacy_page = shell.privacy_page or pages["personvern"]
        shell.save()
    editor_group_ensure()
    return created


# --- Demo accounts (development and demo sites only) -----------------------------------------

DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105 - printed to the developer; demo sites only


@transaction.atomic
def demo_users_ensure() -> list[tuple[str, str]]:
    """One verified account per kind of user, so a developer can try every role at once."""
    from allauth.account.models import EmailAddress

    from directory.models import (
        Municipality,
        MunicipalityMembership,
        NavOffice,
        NavOfficeMembership,
        Organisation,
        OrganisationMembership,
    )

    hamar = NavOffice.objects.get(slug="nav-hamar")
    org = Organisation.objects.get(slug="frivilligsentralen-i-hamar-demo-navn")
    specs = [
        ("admin@example.org", "Demo Administrator", User.PortalRole.ADMINISTRATOR, "Administrator"),
        ("redaktor@example.org", "Demo Redaktør", User.PortalRole.EDITOR, "Portalredaktør"),
        ("veileder@example.org", "Demo Veileder", "", "Nav-veileder i Nav Hamar"),
        ("leder@example.org", "Demo Leder", "", "Leder i Nav Hamar"),
        ("frivillig@example.org", "Demo Frivillig", "", "Eier av Frivilligsentralen i Hamar"),
        ("kommune@example.org", "Demo Kommune", "", "Ansatt i Hamar kommune"),
    ]
    accounts = []
    for email, name, role, description in specs:
        first, last = name.split(" ", 1)
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        if role and user.portal_role != role:
            user_set_portal_role(user=user, role=role, by=None)
        accounts.append((email, description))
    for email in ("admin@example.org", "redaktor@example.org", "veileder@example.org"):
        NavOfficeMembership.objects.get_or_create(user=User.objects.get(email=email), office=hamar)
    NavOfficeMembership.objects.get_or_create(
        user=User.objects.get(email="leder@example.org"),
        office=hamar,
        defaults={"role": NavOfficeMembership.Role.LEADER},
    )
    OrganisationMembership.objects.get_or_create(
        user=User.objects.get(email="frivillig@example.org"),
        organisation=org,
        defaults={"role": OrganisationMembership.Role.OWNER},
    )
    MunicipalityMembership.objects.get_or_create(
        user=User.objects.get(email="kommune@example.org"),
        municipality=Municipality.objects.get(code="3403"),
    )
    return accounts
