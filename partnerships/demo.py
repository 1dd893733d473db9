"""Demo data: the three seed partnerships, their organisations, and one login per role.

Organisations are real public bodies and associations named in the seed documents; every
person (contact persons, users) is invented.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group

from iop.audit import AuditContext

from .actions import index_into_next_year, record_version
from .models import (
    ActualCost,
    Agreement,
    AgreementParty,
    Budget,
    ContactPerson,
    CostLine,
    Document,
    DocumentFile,
    FundingShare,
    Goal,
    Indicator,
    IndicatorTarget,
    InvoicingPair,
    Organisation,
    OtherFunding,
    Resource,
    Role,
    User,
    round_money,
)

DEMO_PASSWORD = "iop-demo-2026!"

D = datetime.date


@dataclass
class DemoContext:
    """What the partnership demo created, for the other apps' demo steps to build on."""

    agreements: dict[str, Agreement] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


# The seeds give no payment details. The operators get Bankgirot's own example number
# (5050-1055, from its published specifications), never a real organisation's account.
DEMO_PAYMENT = {"bankgiro": "5050-1055", "payment_terms_days": 30, "ocr_reference": True}


def _org(key: str, ctx: DemoContext, **fields) -> Organisation:
    org, _ = Organisation.objects.update_or_create(
        org_number=fields.pop("org_number"), defaults=fields
    )
    ctx.organisations[key] = org
    return org


def _contact(org: Organisation, name: str, title: str) -> ContactPerson:
    email = name.lower().replace(" ", ".").replace("å", "a").replace("ä", "a").replace("ö", "o")
    person, _ = ContactPerson.objects.get_or_create(
        organisation=org, name=name, defaults={"title": title, "email": f"{email}@example.se"}
    )
    return person


def load(ctx: DemoContext) -> None:
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    _organisations(ctx)
    _thaiwise(ctx)
    _bromodellen(ctx)
    _malmokraften(ctx)
    _users(ctx)


def _organisations(ctx: DemoContext) -> None:
    _org(
        "malmo",
        ctx,
        org_number="212000-1124",
        name="Malmö stad, arbetsmarknads- och socialnämnden",
        kind=Organisation.Kind.MUNICIPALITY,
        street_address="August Palms plats 1",
        postal_code="205 80",
        city="Malmö",
        peppol_id="0007:2120001124",
        # Reference and marking are per agreement (the invoicing pairs): a second IOP of
        # the same committee must not carry ThaiWISE's marking.
        invoice_reference="",
        invoice_marking="",
    )
    _org(
        "helamanniskan",
        ctx,
        **DEMO_PAYMENT,
        org_number="802438-1355",
        name="Föreningen Hela Människan i Malmö",
        kind=Organisation.Kind.NON_PROFIT,
        street_address="Poststugan 78",
        postal_code="211 65",
        city="Malmö",
    )
    _org(
        "linkoping",
        ctx,
        org_number="212000-0449",
        name="Linköpings kommun, Integrations- och arbetsmarknadsförvaltningen",
        kind=Organisation.Kind.MUNICIPALITY,
        # The invoice address of the seed ("Elektronisk faktura skickas till").
        street_address="Skanningcentralen 150Z",
        postal_code="581 81",
        city="Linköping",
        gln="7332776000001",
        peppol_id="0007:2120000449",
        invoice_reference="",
        invoice_marking="",
    )
    _org(
        "bilda",
        ctx,
        **DEMO_PAYMENT,
        org_number="802002-1237",
        name="Studieförbundet Bilda Sydost",
        kind=Organisation.Kind.NON_PROFIT,
        street_address="Storgatan 10",
        postal_code="582 23",
        city="Linköping",
    )
    _org(
        "erikshjalpen",
        ctx,
        **DEMO_PAYMENT,
        org_number="802400-7653",
        name="Erikshjälpen Second Hand Linköping",
        kind=Organisation.Kind.NON_PROFIT,
        street_address="Industrigatan 5",
        postal_code="582 77",
        city="Linköping",
    )
    _org(
        "finsam",
        ctx,
        org_number="222000-1552",
        name="Samordningsförbundet FINSAM Malmö",
        kind=Organisation.Kind.COORDINATION,
        street_address="Box 100",
        postal_code="201 21",
        city="Malmö",
        peppol_id="0007:2220001552",
        invoice_reference="",
        invoice_marking="",
    )
    _org(
        "arbetsformedlingen",
        ctx,
        org_number="202100-2114",
        name="Arbetsförmedlingen",
        kind=Organisation.Kind.STATE_AGENCY,
        street_address="Elektronvägen 2",
        postal_code="113 99",
        city="Stockholm",
    )
    _org(
        "forsakringskassan",
        ctx,
        org_number="202100-5521",
        name="Försäkringskassan",
        kind=Organisation.Kind.STATE_AGENCY,
        street_address="Box 1164",
        postal_code="621 22",
        city="Visby",
    )
    _org(
        "regionskane",
        ctx,
        org_number="232100-0255",
        name="Region Skåne",
        kind=Organisation.Kind.REGION,
        street_address="Rådhuset",
        postal_code="291 89",
        city="Kristianstad",
    )


def _party(agreement, org, role, contact=None, responsibilities="", resources=()) -> AgreementParty:
    party, _ = AgreementParty.objects.update_or_create(
        agreement=agreement,
        organisation=org,
        defaults={"role": role, "contact_person": contact, "responsibilities": responsibilities},
    )
    party.resources.all().delete()
    Resource.objects.bulk_create(
        Resource(party=party, kind=kind, description=desc, quantity=qty)
        for kind, desc, qty in resources
    )
    return party


def _goal_tree(agreement: Agreement, overall: str, subgoals: list[tuple[str, list[tuple]]]) -> None:
    agreement.goals.all().delete()
    top = Goal.objects.create(agreement=agreement, title=overall, position=0)
    for position, (title, indicators) in enumerate(subgoals, start=1):
        goal = Goal.objects.create(agreement=agreement, parent=top, title=title, position=position)
        for name, unit, metric, targets in indicators:
            indicator = Indicator.objects.create(goal=goal, name=name, unit=unit, metric=metric)
            for year, value in targets.items():
                IndicatorTarget.objects.create(
                    indicator=indicator, year=year, target=Decimal(value)
                )


def _budget(agreement, year, lines, shares, indexation="0", grant=None) -> Budget:
    Budget.objects.filter(agreement=agreement, year=year).delete()
    budget = Budget.objects.create(
        agreement=agreement,
        year=year,
        indexation_percent=Decimal(indexation),
        public_grant=Decimal(grant) if grant is not None else None,
    )
    for position, (category, description, fte, amount) in enumerate(lines):
        CostLine.objects.create(
            budget=budget,
            category=category,
            description=description,
            fte=Decimal(fte) if fte else None,
            amount=Decimal(amount),
            position=position,
        )
    for party, percent, amount in shares:
        FundingShare.objects.create(
            budget=budget,
            party=party,
            percent=Decimal(percent) if percent is not None else None,
            amount=Decimal(amount) if amount is not None else None,
        )
    return budget


def _pairs(agreement: Agreement, rows: list[tuple]) -> None:
    """Who invoices whom: (seller, buyer, per cent, marking, marking text, reference)."""
    # Update in place: issued invoice bases keep pointing at their pair.
    for position, (seller, buyer, percent, marking, text, reference) in enumerate(rows):
        pair = InvoicingPair.objects.filter(seller=seller, buyer=buyer).first() or InvoicingPair(
            agreement=agreement, seller=seller, buyer=buyer
        )
        pair.percent = Decimal(percent)
        pair.amount = None
        pair.marking = marking
        pair.marking_text = text
        pair.buyer_reference = reference
        pair.position = position
        pair.full_clean()
        pair.save()


def _agreement(short_id: str, **fields) -> Agreement:
    agreement, _ = Agreement.objects.update_or_create(short_id=short_id, defaults=fields)
    # Archived documents protect what they are attached to (costs, versions, meetings);
    # a participant's documents hang on the agreement only and are left to participants.
    shared_documents = Document.objects.filter(agreement=agreement, personal=False)
    DocumentFile.objects.filter(document__in=shared_documents).delete()
    shared_documents.delete()
    # Actual costs protect their cost lines; clear them before the budgets they belong to.
    ActualCost.objects.filter(cost_line__budget__agreement=agreement).delete()
    agreement.budgets.all().delete()
    agreement.versions.all().delete()
    agreement.extensions.all().delete()
    return agreement


def _thaiwise(ctx: DemoContext) -> None:
    org = ctx.organisations
    agreement = _agreement(
        "thaiwise",
        title="IOP ThaiWISE",
        background=(
            "Parterna har sedan 2020 arbetat tillsammans för att nå thailändska kvinnor som "
            "arbetar på massagesalonger och riskerar arbetslivsexploatering."
        ),
        purpose="Att stärka thailändska kvinnors möjligheter till egen försörjning och skydd mot exploatering.",
        target_group="Thailändska kvinnor som arbetar på massagesalonger i Malmö.",
        value_base="Tillit, dialog och öppenhet mellan parterna. Målgruppens behov styr arbetet.",
        focus_areas="Uppsökande arbete\nStöd och vägledning\nKompetenshöjning\nSamverkan med myndigheter",
        confidentiality="Parterna iakttar sekretess och tystnadsplikt enligt OSL och GDPR.",
        start_date=D(2026, 1, 1),
        end_date=D(2027, 12, 31),
        extension_count=1,
        extension_months=12,
        extension_notice_months=3,
        decision_date=D(2025, 11, 20),
        decision_reference="ASN-2025-0412",
        decision_body="Arbetsmarknads- och socialnämnden",
        status=Agreement.Status.ACTIVE,
        capacity=60,
        followups_per_year=4,
        invoicing=Agreement.InvoicingRhythm.YEARLY,
        pays_against_actuals=False,
        signed_on=D(2025, 12, 10),
        signatories="Karin Lindgren, ordförande, Föreningen Hela Människan i Malmö\n"
        "Anders Holm, ordförande, arbetsmarknads- och socialnämnden",
    )
    public = _party(
        agreement,
        org["malmo"],
        AgreementParty.PartyRole.PUBLIC_FUNDER,
        _contact(org["malmo"], "Sara Ekström", "Utvecklingssekreterare"),
        "Bidrar med finansiering, deltar i uppföljning och styrgrupp.",
        [("cash", "Bidrag enligt budget", "670 000 kr 2026, 688 000 kr 2027")],
    )
    operator = _party(
        agreement,
        org["helamanniskan"],
        AgreementParty.PartyRole.OPERATOR,
        _contact(org["helamanniskan"], "Maja Nordin", "Verksamhetschef"),
        "Driver verksamheten, rapporterar årligen senast 31 mars.",
        [
            ("staff", "Verksamhetsledare och uppsökare", "1,5 årsarbetare"),
            ("volunteer", "Ideella tolkar och stödpersoner", "400 timmar per år"),
        ],
    )
    _goal_tree(
        agreement,
        "Thailändska kvinnor i Malmö har stärkt sin ställning och är mindre utsatta för exploatering.",
        [
            (
                "Fler kvinnor nås av uppsökande arbete",
                [
                    (
                        "Antal kontakter i uppsökande arbete",
                        "count",
                        "outreach",
                        {2026: 400, 2027: 450},
                    ),
                ],
            ),
            (
                "Kvinnorna får stöd mot egen försörjning",
                [
                    (
                        "Andel avslutade till arbete",
                        "percent",
                        "share_to_work",
                        {2026: 30, 2027: 35},
                    ),
                ],
            ),
            (
                "Kunskapen om arbetslivsexploatering ökar hos myndigheter",
                [
                    ("Antal utbildningstillfällen", "count", "manual", {2026: 6, 2027: 6}),
                ],
            ),
        ],
    )
    # "Hela beloppet avser lönekostnader för personal som arbetar med ThaiWISE i Malmö."
    for year, amount in ((2026, "670000"), (2027, "688000")):
        _budget(
            agreement,
            year,
            [("personnel", "Lönekostnader, verksamhetsledare och uppsökare", "1.5", amount)],
            [(public, None, amount)],
            grant=amount,
        )
    # "Hela Människan i Malmö fakturerar arbetsmarknads- och socialförvaltningen en gång
    # per år."
    _pairs(
        agreement,
        [(operator, public, "100", "", "IOP ThaiWISE", "ASF-IOP")],
    )
    record_version(
        audit=AuditContext.system(),
        agreement=agreement,
        user=None,
        summary="Överenskommelsen tecknad",
        valid_from=agreement.start_date,
        approved_on=agreement.signed_on,
        approved_by="Båda parter genom undertecknande",
    )
    ctx.agreements["thaiwise"] = agreement


def _bromodellen(ctx: DemoContext) -> None:
    org = ctx.organisations
    agreement = _agreement(
        "bromodellen",
        title="IOP Bromodellen",
        background="Arbetsträning i second hand-butik kombinerad med studiecirklar.",
        purpose="Att deltagarna närmar sig arbetsmarknaden och på sikt når egenförsörjning.",
        target_group=(
            "Individer aktuella för arbetsmarknadsnämndens insatser som står långt från "
            "arbetsmarknaden och behöver sammansatta insatser."
        ),
        value_base="Helhetsfokus i en tillåtande och trygg miljö.",
        focus_areas="Arbetsträning\nStudiecirklar\nSpråkutveckling",
        start_date=D(2024, 1, 1),
        end_date=D(2025, 12, 31),
        extension_count=2,
        extension_months=24,
        extension_notice_months=3,
        decision_date=D(2023, 11, 28),
        decision_reference="AMN 2023-0456",
        decision_body="Arbetsmarknadsnämnden",
        status=Agreement.Status.ACTIVE,
        capacity=40,
        followups_per_year=4,
        invoicing=Agreement.InvoicingRhythm.YEARLY,
        pays_against_actuals=False,
        # "I händelse av att överenskommelsen hävs ska reglering av ekonomi ske på sådant
        # sätt att faktiskt uppkomna kostnader enligt denna överenskommelse ersätts."
        termination_settlement=Agreement.TerminationSettlement.ACTUAL_COSTS,
        signed_on=D(2023, 12, 15),
        signatories="Per Sandberg, förvaltningschef, Linköpings kommun\n"
        "Eva Dahl, regionchef, Studieförbundet Bilda Sydost\n"
        "Jonas Berg, verksamhetschef, Erikshjälpen",
    )
    linkoping = _party(
        agreement,
        org["linkoping"],
        AgreementParty.PartyRole.PUBLIC_FUNDER,
        _contact(org["linkoping"], "Lena Forsberg", "Koordinator"),
        "Anvisar deltagare via koordinator, bedömer min- och maxtid, följer progression.",
        [("staff", "Koordinator för anvisning och uppföljning", "0,5 årsarbetare")],
    )
    bilda = _party(
        agreement,
        org["bilda"],
        AgreementParty.PartyRole.OPERATOR,
        _contact(org["bilda"], "Oskar Lund", "Verksamhetsutvecklare"),
        "Genomför studiecirklar och följer upp närvaro tillsammans med Erikshjälpen.",
        [("staff", "Cirkelledare", "3 årsarbetare")],
    )
    # "Aktiviteterna ... planeras och genomförs av personal inom Bilda och Erikshjälpen."
    eriks = _party(
        agreement,
        org["erikshjalpen"],
        AgreementParty.PartyRole.OPERATOR,
        _contact(org["erikshjalpen"], "Amira Hassan", "Butikschef"),
        "Erbjuder arbetsträning i butik, café och lager.",
        [("premises", "Butikslokal och lager", "Hela perioden")],
    )
    _goal_tree(
        agreement,
        "Deltagarna har närmat sig arbetsmarknaden och egenförsörjning.",
        [
            (
                "Deltagarna tar steg mot arbete",
                [
                    (
                        "Andel med stegförflyttning",
                        "percent",
                        "step_progression",
                        {2024: 80, 2025: 80},
                    ),
                ],
            ),
            (
                "Deltagarna går vidare till arbete eller studier",
                [
                    (
                        "Andel avslutade till arbete",
                        "percent",
                        "share_to_work",
                        {2024: 30, 2025: 30},
                    ),
                    (
                        "Andel avslutade till studier",
                        "percent",
                        "share_to_studies",
                        {2024: 10, 2025: 10},
                    ),
                ],
            ),
        ],
    )
    budget = _budget(
        agreement,
        2024,
        [
            ("personnel", "Pedagogisk personal, 3 heltidstjänster", "3", "1670400"),
            ("personnel", "Arbetsledning, 0,5 heltidstjänst", "0.5", "278400"),
            ("premises", "Lokaler", None, "372000"),
            ("materials", "Material", None, "48000"),
        ],
        [(linkoping, "70", None), (bilda, "25", None), (eriks, "5", None)],
        indexation="2",
    )
    _book_actuals(budget.agreement, 2024, share_of_budget=Decimal("1.01"), prefix="BR24")
    # Each operator invoices Linköping its part: Bilda runs the teaching and the material
    # (1 718 400 kr of 2 368 800 kr, 72,54 %), Erikshjälpen the supervision and the premises
    # (650 400 kr, 27,46 %). Marking and reference as the seed's e-invoice instructions.
    bromo = ("ID 150010, AKTIVITET: 450211", "IOP Bromodellen", "150Z")
    _pairs(
        agreement,
        [(bilda, linkoping, "72.54", *bromo), (eriks, linkoping, "27.46", *bromo)],
    )
    OtherFunding.objects.create(
        budget=budget,
        funder="Folkbildningsrådet (statsbidrag via Bilda)",
        amount=Decimal("150000"),
        purpose="Studiecirklar utöver överenskommelsen",
    )
    record_version(
        audit=AuditContext.system(),
        agreement=agreement,
        user=None,
        summary="Överenskommelsen tecknad",
        valid_from=agreement.start_date,
        approved_on=agreement.signed_on,
        approved_by="Alla tre parter genom undertecknande",
    )
    index_into_next_year(budget=budget)
    record_version(
        audit=AuditContext.system(),
        agreement=agreement,
        user=None,
        summary="Budget 2025 uppräknad med 2 %",
        valid_from=D(2025, 1, 1),
        approved_on=D(2024, 11, 20),
        approved_by="Uppföljningsmöte 2024-11-20",
    )
    ctx.agreements["bromodellen"] = agreement


def _malmokraften(ctx: DemoContext) -> None:
    org = ctx.organisations
    agreement = _agreement(
        "malmokraften",
        title="Malmökraften",
        background=(
            "Multiprofessionella team från flera myndigheter stödjer långtidsarbetslösa. "
            "Det saknas i dag ett gemensamt dokumentations- och ärendesystem mellan aktörerna."
        ),
        purpose="Att fler långtidsarbetslösa i Malmö går till arbete eller studier.",
        target_group="Långtidsarbetslösa med försörjningsstöd eller sjukpenning i Malmö.",
        value_base="Samverkan över myndighetsgränser med individen i centrum.",
        focus_areas="Samordnade team\nStegförflyttning\nArbete och studier\nJämställdhet",
        start_date=D(2024, 1, 1),
        end_date=D(2026, 12, 31),
        extension_count=1,
        extension_months=12,
        extension_notice_months=6,
        decision_date=D(2023, 12, 1),
        decision_reference="FINSAM 2023/17",
        decision_body="Styrelsen för Samordningsförbundet FINSAM Malmö",
        status=Agreement.Status.ACTIVE,
        capacity=1000,
        followups_per_year=12,
        invoicing=Agreement.InvoicingRhythm.YEARLY,
        pays_against_actuals=True,
        signed_on=D(2023, 12, 12),
    )
    finsam = _party(
        agreement,
        org["finsam"],
        AgreementParty.PartyRole.PUBLIC_FUNDER,
        _contact(org["finsam"], "Helena Strand", "Förbundschef"),
        "Finansierar övriga kostnader som medfinansiering.",
        [("cash", "Medfinansiering", "8 000 000 kr")],
    )
    malmo = _party(
        agreement,
        org["malmo"],
        AgreementParty.PartyRole.OPERATOR,
        _contact(org["malmo"], "Ali Rahimi", "Projektledare"),
        "Leder teamen och bidrar med socialsekreterare och arbetsmarknadssekreterare.",
        [("staff", "Socialsekreterare och arbetsmarknadssekreterare", "25 årsarbetare")],
    )
    _party(
        agreement,
        org["arbetsformedlingen"],
        AgreementParty.PartyRole.PARTNER,
        _contact(org["arbetsformedlingen"], "Johan Ek", "Sektionschef"),
        "Bidrar med arbetsförmedlare i teamen.",
        [("staff", "Arbetsförmedlare", "15 årsarbetare")],
    )
    _party(
        agreement,
        org["forsakringskassan"],
        AgreementParty.PartyRole.PARTNER,
        _contact(org["forsakringskassan"], "Nora Blom", "Handläggare"),
        "Bidrar med handläggare för deltagare med sjukpenning.",
        [("staff", "Handläggare", "2 årsarbetare")],
    )
    # The seed names Region Skåne among the applicants: care coordinators and psychiatric
    # nurses shared between the teams.
    _party(
        agreement,
        org["regionskane"],
        AgreementParty.PartyRole.PARTNER,
        _contact(org["regionskane"], "Vera Lund", "Enhetschef"),
        "Bidrar med vårdsamordnare och psykiatrisjuksköterskor som delas mellan teamen.",
        [("staff", "Vårdsamordnare och psykiatrisjuksköterskor", "3 årsarbetare")],
    )
    _goal_tree(
        agreement,
        "Långtidsarbetslösa i Malmö når egen försörjning genom samordnat stöd.",
        [
            (
                "Deltagarna tar steg mot arbete",
                [
                    (
                        "Andel med stegförflyttning",
                        "percent",
                        "step_progression",
                        {2024: 90, 2025: 90, 2026: 90},
                    ),
                ],
            ),
            (
                "Deltagarna går vidare till arbete eller studier",
                [
                    (
                        "Andel avslutade till arbete",
                        "percent",
                        "share_to_work",
                        {2024: 45, 2025: 45, 2026: 45},
                    ),
                    (
                        "Andel avslutade till studier",
                        "percent",
                        "share_to_studies",
                        {2024: 10, 2025: 10, 2026: 10},
                    ),
                ],
            ),
            (
                "Färre är beroende av försörjningsstöd",
                [
                    (
                        "Andel som lämnat försörjningsstöd",
                        "percent",
                        "off_income_support",
                        {2024: 45, 2025: 45, 2026: 45},
                    ),
                ],
            ),
        ],
    )
    for year in (2024, 2025, 2026):
        _budget(
            agreement,
            year,
            [
                ("personnel", "Teamledare och studie- och yrkesvägledare", "4", "4200000"),
                ("external", "Externa tjänster och utbildningar", None, "1800000"),
                ("premises", "Gemensamma lokaler", None, "1400000"),
                ("other", "Övriga kostnader", None, "600000"),
            ],
            [(finsam, None, "8000000")],
            grant="8000000",
        )
    del malmo
    # The seed: "8 000 000 kr till Arbetsförmedlingen som del av medfinansiering i ett
    # ESF-projekt"; Arbetsförmedlingen owns the project and invoices FINSAM against the
    # actual costs.
    afs = AgreementParty.objects.get(agreement=agreement, organisation=org["arbetsformedlingen"])
    _pairs(agreement, [(afs, finsam, "100", "", "Malmökraften", "FINSAM-MK")])
    _book_actuals(agreement, 2024, share_of_budget=Decimal("0.97"), prefix="MK24")
    _book_actuals(agreement, 2025, share_of_budget=Decimal("0.92"), prefix="MK25")
    record_version(
        audit=AuditContext.system(),
        agreement=agreement,
        user=None,
        summary="Överenskommelsen tecknad",
        valid_from=agreement.start_date,
        approved_on=agreement.signed_on,
        approved_by="Styrelsen för FINSAM och samtliga parter",
    )
    ctx.agreements["malmokraften"] = agreement


def _book_actuals(
    agreement: Agreement, year: int, *, share_of_budget: Decimal, prefix: str
) -> None:
    """Monthly vouchers per cost line that add up to `share_of_budget` of each line."""
    budget = Budget.objects.get(agreement=agreement, year=year)
    for line_no, line in enumerate(budget.cost_lines.all(), start=1):
        yearly = round_money(line.amount * share_of_budget)
        monthly = round_money(yearly / 12)
        for month in range(1, 13):
            amount = monthly if month < 12 else yearly - monthly * 11
            ActualCost.objects.create(
                cost_line=line,
                date=D(year, month, 25),
                amount=amount,
                voucher=f"{prefix}-{line_no:02d}{month:02d}",
                description=f"{line.description}, {year}-{month:02d}",
            )


DEMO_USERS = [
    # username, first, last, organisation key, role
    ("koordinator", "Elin", "Sjöberg", "helamanniskan", Role.COORDINATOR),
    ("koordinator2", "Mattias", "Wikström", "bilda", Role.COORDINATOR),
    ("ekonom", "Fredrik", "Almgren", "bilda", Role.FINANCE),
    ("styrgrupp", "Camilla", "Öberg", "malmo", Role.STEERING),
    ("ansvarig", "Johanna", "Lindqvist", "malmo", Role.MANAGER),
    ("admin", "Tove", "Hedlund", None, Role.ADMIN),
    # Malmökraften's multi-agency team (participants/demo_teams.py puts them in teams).
    ("handlaggare", "Petra", "Nyström", "arbetsformedlingen", Role.CASEWORKER),
    ("socialsekreterare", "Omar", "Haddad", "malmo", Role.CASEWORKER),
    ("teamledare", "Lina", "Berglund", "malmo", Role.CASEWORKER),
    ("forsakring", "Jonas", "Falk", "forsakringskassan", Role.CASEWORKER),
    ("vardsamordnare", "Maja", "Engström", "regionskane", Role.CASEWORKER),
]


def _users(ctx: DemoContext) -> None:
    for username, first, last, org_key, role in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@example.se"
        user.organisation = ctx.organisations[org_key] if org_key else None
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        ctx.users[username] = user
