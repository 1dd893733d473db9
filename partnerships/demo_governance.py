"""Demo data for running a partnership: Internationella kvinnor (seed 003, 2014-06-01 –
2016-12-31) with its bodies, its three stages, 17 risks and its obstacle list, parties
joining and leaving; and ThaiWISE's steering group with its bodies outside the agreement.

Organisations are the public bodies and associations the seeds name; every person is
invented, and so is every risk's and obstacle's wording beyond the few the seed quotes.
Runs after the partnership demo (it needs its organisations and users) and before the
participants' demo (which finds the agreement by its title).
"""

from __future__ import annotations

import datetime

from iop.audit import AuditContext

from .actions import record_version
from .demo import DemoContext, _agreement, _contact, _org, _party
from .models import (
    Agreement,
    AgreementParty,
    Attendee,
    BodyMember,
    GovernanceBody,
    Meeting,
    Obstacle,
    Organisation,
    Risk,
    RiskChange,
    Stage,
)

D = datetime.date
TITLE = "Internationella kvinnor"
Kind = GovernanceBody.Kind
R = BodyMember.Role


def load(ctx: DemoContext) -> None:
    _organisations(ctx)
    agreement = _internationella_kvinnor(ctx)
    _bodies(ctx, agreement)
    _stages(agreement)
    _risks(ctx, agreement)
    _obstacles(agreement)
    _steering_meetings(ctx, agreement)
    _thaiwise_steering_group(ctx)


def _organisations(ctx: DemoContext) -> None:
    _org(
        "region_skane",
        ctx,
        org_number="232100-0255",
        name="Region Skåne",
        kind=Organisation.Kind.REGION,
        street_address="Rådhus Skåne",
        postal_code="291 89",
        city="Kristianstad",
    )
    _org(
        "lansstyrelsen_skane",
        ctx,
        org_number="202100-2346",
        name="Länsstyrelsen Skåne",
        kind=Organisation.Kind.STATE_AGENCY,
        street_address="Södergatan 5",
        postal_code="205 15",
        city="Malmö",
    )


def _clear(agreement: Agreement) -> None:
    Meeting.objects.filter(agreement=agreement).delete()
    agreement.bodies.all().delete()
    agreement.risks.all().delete()
    agreement.obstacles.all().delete()
    agreement.stages.all().delete()


def _internationella_kvinnor(ctx: DemoContext) -> Agreement:
    org = ctx.organisations
    agreement = _agreement(
        "internationella-kvinnor",
        title=TITLE,
        background=(
            "Utomeuropeiskt födda kvinnor i Malmö står långt från arbetsmarknaden. Myndigheterna "
            "har var för sig insatser, men kvinnorna riskerar att hamna mellan stolarna."
        ),
        purpose=(
            "Att genom en samordnad handlingsplan mellan myndigheterna föra kvinnorna närmare "
            "arbete eller studier, och att identifiera och åtgärda strukturella hinder."
        ),
        target_group="Utrikes födda kvinnor i Malmö utanför etableringsuppdraget.",
        focus_areas="Samordnad handlingsplan\nFyrstegsmodellen\nHinderlistan",
        start_date=D(2014, 6, 1),
        end_date=D(2016, 12, 31),
        decision_date=D(2014, 4, 15),
        decision_body="Samordningsförbundet FINSAM Malmö, styrelsen",
        status=Agreement.Status.ENDED,
        capacity=80,
        followups_per_year=4,
    )
    _clear(agreement)
    agreement.parties.exclude(
        organisation__in=[
            org[k] for k in ("arbetsformedlingen", "malmo", "region_skane", "forsakringskassan")
        ]
    ).delete()
    _party(
        agreement,
        org["arbetsformedlingen"],
        AgreementParty.PartyRole.OPERATOR,
        _contact(org["arbetsformedlingen"], "Helena Strandberg", "Sektionschef"),
        "Projektägare: leder projektet och anställer projektledaren.",
    )
    for key in ("malmo", "region_skane", "forsakringskassan"):
        _party(agreement, org[key], AgreementParty.PartyRole.PARTNER)
    _party(agreement, org["finsam"], AgreementParty.PartyRole.PUBLIC_FUNDER)
    agreement.parties.update(joined_on=None, left_on=None)  # a re-run starts from the start
    audit = AuditContext.system()
    record_version(
        agreement=agreement, user=None, audit=audit, summary="Projektet beviljat",
        valid_from=agreement.start_date, approved_on=D(2014, 4, 15),
    )  # fmt: skip
    AgreementParty.objects.filter(
        agreement=agreement, organisation=org["forsakringskassan"]
    ).update(left_on=D(2015, 12, 31))
    record_version(
        agreement=agreement, user=None, audit=audit,
        summary="Försäkringskassan lämnar samarbetet", valid_from=D(2016, 1, 1),
    )  # fmt: skip
    county = _party(agreement, org["lansstyrelsen_skane"], AgreementParty.PartyRole.PARTNER)
    county.joined_on = D(2016, 9, 1)
    county.save(update_fields=["joined_on"])
    record_version(
        agreement=agreement, user=None, audit=audit,
        summary="Länsstyrelsen Skåne går in i samarbetet", valid_from=D(2016, 9, 1),
    )  # fmt: skip
    return agreement


def _members(body: GovernanceBody, rows: list[tuple]) -> None:
    """rows: (name, organisation, title, role, start, end) — name may be a User."""
    for name, organisation, title, role, start, end in rows:
        is_user = not isinstance(name, str)
        BodyMember.objects.create(
            body=body,
            user=name if is_user else None,
            name="" if is_user else name,
            organisation_name=organisation,
            title=title,
            role=role,
            start_date=start,
            end_date=end,
        )


def _bodies(ctx: DemoContext, agreement: Agreement) -> None:
    af, ms = "Arbetsförmedlingen", "Malmö stad"
    start, end = agreement.start_date, None
    steering = GovernanceBody.objects.create(
        agreement=agreement,
        kind=Kind.STEERING,
        mandate="Beslutar om projektets inriktning, budget och implementering; "
        "följer upp risker och hinderlistan.",
    )
    _members(
        steering,
        [
            ("Helena Strandberg", af, "sektionschef", R.CHAIR, start, end),
            ("Daniel Sörensen", af, "samordnare", R.SECRETARY, start, end),
            ("Nadia Håkansson", af, "projektledare", R.MEMBER, start, end),
            (ctx.users["ansvarig"], ms, "enhetschef, JobbMalmö", R.MEMBER, start, end),
            ("Ulrika Mattsson", f"{ms}, Individ- och familjeomsorgen", "enhetschef", R.MEMBER, start, end),
            ("Per Gustavsson", f"{ms}, Vuxenutbildningen", "avdelningschef", R.MEMBER, start, end),
            ("Karolina Nyström", "Försäkringskassan", "samverkansansvarig", R.MEMBER, start, D(2015, 12, 31)),
            ("Leila Amini", "Region Skåne, vårdcentralen", "verksamhetschef", R.MEMBER, start, end),
            ("Tomas Wallin", ms, "planeringssekreterare", R.CO_OPTED, start, end),
            ("Sofia Lundkvist", "Samordningsförbundet FINSAM Malmö", "processtödjare", R.CO_OPTED, start, end),
            ("Erik Blom", "Utvärderare (extern)", "utvärderare", R.CO_OPTED, D(2015, 1, 1), end),
        ],
    )  # fmt: skip
    reference = GovernanceBody.objects.create(
        agreement=agreement,
        kind=Kind.REFERENCE,
        mandate="Ger råd från civilsamhället och kompletterande aktörer.",
    )
    _members(
        reference,
        [
            ("Hodan Warsame", "Somalilands förening", "", R.MEMBER, start, end),
            ("Martin Ek", "Malmöidrottens samarbetsorganisation MISO", "", R.MEMBER, start, end),
            ("Cecilia Roos", "Stadsmissionen", "", R.MEMBER, start, end),
            ("Amra Kovač", "Internationella kvinnoföreningen IKF", "", R.MEMBER, start, end),
            ("Johan Sandell", "Hyllie park folkhögskola, SFI", "", R.MEMBER, D(2015, 1, 1), end),
        ],
    )
    communication = GovernanceBody.objects.create(
        agreement=agreement, kind=Kind.COMMUNICATION, mandate="Information till handläggare."
    )
    _members(
        communication,
        [
            ("Maja Holmgren", f"{ms}, kommunikationsavdelningen", "kommunikatör", R.MEMBER, start, end),
            ("Oskar Lindahl", f"{af}, kommunikationsavdelningen", "kommunikatör", R.MEMBER, start, end),
            ("Tomas Wallin", ms, "planeringssekreterare", R.MEMBER, start, end),
        ],
    )  # fmt: skip
    project = GovernanceBody.objects.create(
        agreement=agreement, kind=Kind.PROJECT, mandate="Genomför den samordnade handlingsplanen."
    )
    _members(
        project,
        [
            ("Nadia Håkansson", af, "projektledare", R.CHAIR, start, end),
            ("Sanna Åberg", af, "arbetsförmedlare", R.MEMBER, start, end),
            ("Mirela Petrović", f"{ms}, IFO", "socialsekreterare", R.MEMBER, start, end),
            ("Anna Fransson", f"{ms}, JobbMalmö", "arbetsmarknadssekreterare", R.MEMBER, start, end),
            ("Lina Berg", "Försäkringskassan", "handläggare, deltid", R.MEMBER, start, D(2015, 12, 31)),
            ("Yasmin Karimi", "Länsstyrelsen Skåne", "samhällskommunikatör", R.MEMBER, D(2016, 9, 1), end),
        ],
    )  # fmt: skip


def _stages(agreement: Agreement) -> None:
    for name, start, end, goals in (
        ("Förberedelser", D(2014, 6, 1), D(2014, 12, 31),
         "Analyser, genomförandeplaner, lokaler, utrustning och bemanning."),
        ("Pilot i stadsområde Öster", D(2015, 1, 1), D(2015, 12, 31),
         "Pröva fyrstegsmodellen: inrekrytering, visionsbygge, aktivitet, utmatchning."),
        ("Implementering", D(2016, 1, 1), D(2016, 12, 31),
         "Malmöövergripande programverksamhet i Arbetsförmedlingens regi."),
    ):  # fmt: skip
        Stage.objects.create(
            agreement=agreement, name=name, start_date=start, end_date=end, goals=goals
        )


# (risk, category, likelihood, consequence, status, owner key, owner person)
RISKS = [
    ("Olika regelverk påverkar myndigheternas handläggning", "regulation", 3, 3, "closed", "arbetsformedlingen", "Helena Strandberg"),
    ("Deltagare står för långt från arbetsmarknaden", "target_group", 3, 2, "closed", "arbetsformedlingen", "Nadia Håkansson"),
    ("Svårigheter att få fram praktik- och prova på-platser", "labour_market", 3, 2, "mitigated", "malmo", "Anna Fransson"),
    ("Parterna kan av resurs- eller prioriteringsskäl inte fullfölja sin del i handlingsplanen", "resources", 2, 3, "occurred", "malmo", "Ulrika Mattsson"),
    ("Socialsekreterarnas arbetssituation ger få inremitteringar", "cooperation", 2, 2, "occurred", "malmo", "Mirela Petrović"),
    ("Sekretess mellan myndigheterna hindrar samordnad planering", "regulation", 2, 3, "mitigated", "arbetsformedlingen", "Daniel Sörensen"),
    ("Deltagarna kan inte kombinera SFI med praktik", "target_group", 2, 2, "mitigated", "malmo", "Per Gustavsson"),
    ("Barnomsorg saknas när deltagaren börjar en aktivitet", "target_group", 2, 2, "mitigated", "malmo", "Ulrika Mattsson"),
    ("Ohälsa gör att deltagare avbryter", "target_group", 2, 2, "open", "region_skane", "Leila Amini"),
    ("Tolk saknas vid gemensamma planeringsmöten", "cooperation", 1, 2, "closed", "arbetsformedlingen", "Sanna Åberg"),
    ("Personalomsättning i projektgruppen", "organisation", 2, 2, "occurred", "arbetsformedlingen", "Helena Strandberg"),
    ("Lokalerna i stadsområde Öster blir inte klara i tid", "organisation", 1, 2, "closed", "arbetsformedlingen", "Daniel Sörensen"),
    ("En part lämnar samarbetet under projekttiden", "cooperation", 1, 3, "occurred", "forsakringskassan", "Karolina Nyström"),
    ("Resultaten dokumenteras inte så att de kan följas upp", "organisation", 1, 2, "mitigated", "arbetsformedlingen", "Nadia Håkansson"),
    ("Metoden förs inte över till ordinarie verksamhet", "implementation", 2, 3, "open", "arbetsformedlingen", "Helena Strandberg"),
    ("Lärdomar och kompetens går förlorade när projektet slutar", "implementation", 2, 2, "open", "malmo", "Tomas Wallin"),
    ("Handläggarna i ordinarie verksamhet känner inte till arbetssättet", "cooperation", 2, 1, "mitigated", "malmo", "Maja Holmgren"),
]  # fmt: skip


def _risks(ctx: DemoContext, agreement: Agreement) -> None:
    parties = {p.organisation_id: p for p in agreement.parties.all()}
    manager = ctx.users.get("ansvarig")
    for title, category, likelihood, consequence, status, owner, person in RISKS:
        risk = Risk.objects.create(
            agreement=agreement,
            title=title,
            category=category,
            likelihood=likelihood,
            consequence=consequence,
            owner_party=parties[ctx.organisations[owner].pk],
            owner_person=person,
            status=status,
            mitigation="Följs upp i styrgruppen varje kvartal.",
            next_review=None if status == "closed" else D(2016, 12, 1),
        )
        # The history: every risk assessed at the start; a later change where it moved.
        _history(risk, D(2014, 6, 15), manager, status="open")
        if status != "open":
            _history(risk, D(2016, 3, 15), manager, status=status)


def _history(risk: Risk, day: datetime.date, user, *, status: str) -> None:
    RiskChange.objects.create(
        risk=risk,
        changed_on=day,
        changed_by=user,
        likelihood=risk.likelihood,
        consequence=risk.consequence,
        grade=risk.grade,
        status=status,
    )


def _obstacles(agreement: Agreement) -> None:
    rows = [
        ("Exkluderande krav på kunskapsnivå för deltagande i vissa arbetsmarknadsaktiviteter",
         "municipal", "Malmö stad, arbetsmarknadsförvaltningen", D(2015, 2, 10), "Projektgruppen",
         "Styrgruppen", D(2015, 3, 12), "escalated", "", None),
        ("Brist på grundläggande vuxenutbildning för kvinnor i målgruppen",
         "municipal", "Malmö stad, Vuxenutbildningen", D(2015, 4, 2), "Referensgruppen",
         "Styrgruppen för strategisk överenskommelse AF–Malmö stad", D(2016, 10, 5), "escalated", "", None),
        ("Förkunskapskrav skiljer sig mellan stadens och Arbetsförmedlingens utbildningsinsatser",
         "national", "Arbetsförmedlingens regelverk för arbetsmarknadsutbildning", D(2015, 5, 20),
         "Projektgruppen", "Arbetsförmedlingen, marknadsområde Syd", D(2015, 9, 1), "open", "", None),
        ("Aktivitetsstöd och försörjningsstöd samordnas inte vid start av praktik",
         "agency", "Malmö stad, IFO och Arbetsförmedlingen", D(2015, 3, 5), "Socialsekreterare",
         "", None, "resolved", "Gemensam rutin för anmälan vid start av praktik.", D(2015, 11, 30)),
        ("SFI-tider krockar med praktik",
         "municipal", "Malmö stad, Vuxenutbildningen", D(2015, 1, 20), "Deltagarna",
         "", None, "resolved", "Kvällsgrupper i SFI för deltagare i praktik.", D(2015, 8, 15)),
        ("Tolk kan inte bokas av annan myndighet än den som håller mötet",
         "national", "Förvaltningslagen och myndigheternas tolkavtal", D(2014, 11, 3), "Projektgruppen",
         "FINSAM Malmö", D(2014, 12, 1), "closed",
         "Löstes inte i projektet; varje myndighet bokar tolk för sina egna möten.", D(2016, 6, 30)),
    ]  # fmt: skip
    for (description, level, lies_with, raised_on, raised_by,
         escalated_to, escalated_on, status, resolution, resolved_on) in rows:  # fmt: skip
        Obstacle.objects.create(
            agreement=agreement,
            description=description,
            level=level,
            lies_with=lies_with,
            raised_on=raised_on,
            raised_by=raised_by,
            escalated_to=escalated_to,
            escalated_on=escalated_on,
            status=status,
            resolution=resolution,
            resolved_on=resolved_on,
        )


def _steering_meetings(ctx: DemoContext, agreement: Agreement) -> None:
    steering = agreement.bodies.get(kind=Kind.STEERING)
    for day, minutes in (
        (D(2015, 3, 12), "Hinderlistan gicks igenom; två hinder lyfts vidare."),
        (D(2016, 3, 15), "Implementeringen sker som programaktivitet i Arbetsförmedlingens regi."),
    ):
        meeting = Meeting.objects.create(
            agreement=agreement,
            body=steering,
            kind=Meeting.Kind.STEERING,
            status=Meeting.Status.HELD,
            date=day,
            place="Arbetsförmedlingen Malmö, Kungsgatan",
            convened_by=ctx.organisations["arbetsformedlingen"],
            agenda="Läget i projektet\nRisker\nHinderlistan",
            minutes=minutes,
        )
        Attendee.objects.bulk_create(
            Attendee(
                meeting=meeting,
                member=m,
                name=m.display_name,
                title=m.title,
                organisation=m.user.organisation if m.user is not None else None,
                organisation_name=m.display_organisation,
            )
            for m in steering.members.select_related("user__organisation")
            if m.serves_on(day)
        )


def _thaiwise_steering_group(ctx: DemoContext) -> None:
    agreement = ctx.agreements["thaiwise"]
    Meeting.objects.filter(body__agreement=agreement).delete()
    agreement.bodies.all().delete()
    body = GovernanceBody.objects.create(
        agreement=agreement,
        kind=Kind.STEERING,
        mandate="Stöder genomförandet av överenskommelsen och träffas regelbundet. "
        "Hela Människan i Malmö sammankallar.",
    )
    start = agreement.start_date
    _members(
        body,
        [
            ("Karin Lindgren", "Föreningen Hela Människan i Malmö", "ordförande", R.CHAIR, start, None),
            ("Elsa Norberg", "Föreningen Hela Människan i Malmö", "verksamhetschef", R.SECRETARY, start, None),
            (ctx.users["styrgrupp"], "Malmö stad, arbetsmarknads- och socialförvaltningen", "", R.MEMBER, start, None),
            ("Viktor Hallberg", "Evonhuset, Malmö stad", "enhetschef", R.MEMBER, start, None),
            ("Ida Rosén", "Gymnasie- och vuxenutbildningsförvaltningen, Malmö stad", "rektor", R.MEMBER, start, None),
            ("Amir Sadeghi", "Miljöförvaltningen, Malmö stad", "miljöinspektör", R.MEMBER, start, None),
            ("Lotta Engström", "Hyllie Park folkhögskola", "biträdande rektor", R.MEMBER, start, None),
        ],
    )  # fmt: skip
