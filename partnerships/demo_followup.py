"""Demo step: meetings with attendees, decisions and action items for the three partnerships.

Runs after partnerships.demo. Re-runnable: the demo agreements' meetings are replaced.
Every person named here is invented.
"""

from __future__ import annotations

import datetime

from .demo import DemoContext
from .models import ActionItem, Agreement, Attendee, Decision, Meeting, Organisation

D = datetime.date
FOLLOWUP = Meeting.Kind.FOLLOWUP
STEERING = Meeting.Kind.STEERING
COLLABORATION = Meeting.Kind.COLLABORATION
HELD = Meeting.Status.HELD
PLANNED = Meeting.Status.PLANNED


def load(ctx: DemoContext) -> None:
    Meeting.objects.filter(agreement__in=list(ctx.agreements.values())).delete()
    _thaiwise(ctx)
    _bromodellen(ctx)
    _malmokraften(ctx)


def _meeting(
    agreement: Agreement,
    kind: str,
    day: datetime.date,
    convened_by: Organisation,
    *,
    status: str = HELD,
    place: str = "",
    agenda: str = "",
    minutes: str = "",
    attendees: tuple[tuple[str, str, Organisation], ...] = (),
    decisions: tuple[str, ...] = (),
    items: tuple[tuple[str, str, Organisation, datetime.date], ...] = (),
    ctx: DemoContext | None = None,
) -> Meeting:
    meeting = Meeting.objects.create(
        agreement=agreement,
        kind=kind,
        date=day,
        status=status,
        convened_by=convened_by,
        start_time=datetime.time(9, 30),
        place=place,
        agenda=agenda,
        minutes=minutes,
        created_by=ctx.users.get("ansvarig") if ctx else None,
    )
    Attendee.objects.bulk_create(
        Attendee(meeting=meeting, name=name, title=title, organisation=org)
        for name, title, org in attendees
    )
    Decision.objects.bulk_create(
        Decision(meeting=meeting, text=text, position=n) for n, text in enumerate(decisions)
    )
    ActionItem.objects.bulk_create(
        ActionItem(
            meeting=meeting, description=text, owner=owner, owner_organisation=org, due_date=due
        )
        for text, owner, org, due in items
    )
    return meeting


def _tick(meeting: Meeting, description: str) -> None:
    """Tick off an earlier action item of the same agreement at `meeting`."""
    ActionItem.objects.filter(meeting__agreement=meeting.agreement, description=description).update(
        done_on=meeting.date, done_at_meeting=meeting
    )


def _thaiwise(ctx: DemoContext) -> None:
    agreement = ctx.agreements["thaiwise"]
    malmo = ctx.organisations["malmo"]
    hm = ctx.organisations["helamanniskan"]
    people = (
        ("Sara Ekström", "Utvecklingssekreterare", malmo),
        ("Maja Nordin", "Verksamhetschef", hm),
        ("Pim Sukhon", "Uppsökare", hm),
    )
    place = "Hela Människan, Kyrkogatan 1, Malmö"
    first = _meeting(
        agreement,
        FOLLOWUP,
        D(2026, 3, 12),
        hm,
        place=place,
        ctx=ctx,
        agenda="Verksamheten sedan start\nUppsökande arbete\nEkonomi\nÖvriga frågor",
        minutes=(
            "Verksamheten har kommit i gång enligt plan. 96 kontakter i uppsökande arbete "
            "under första kvartalet. Lokalen för mötesplatsen är på plats."
        ),
        attendees=people,
        decisions=("Uppföljningsmöten hålls en gång per kvartal, växelvis hos parterna.",),
        items=(
            ("Ta fram en gemensam mall för kvartalsstatistik", "Maja Nordin", hm, D(2026, 5, 31)),
            (
                "Bjud in Migrationsverket till samverkansgruppen",
                "Sara Ekström",
                malmo,
                D(2026, 6, 30),
            ),
        ),
    )
    second = _meeting(
        agreement,
        FOLLOWUP,
        D(2026, 6, 11),
        malmo,
        ctx=ctx,
        place="Arbetsmarknads- och socialförvaltningen, Malmö",
        agenda="Uppföljning av åtgärder\nStatistik andra kvartalet\nKompetenshöjning för myndigheter",
        minutes="Statistikmallen används från och med andra kvartalet. Två utbildningstillfällen hållna.",
        attendees=people,
        decisions=("Parterna genomför en gemensam utbildningsdag för handläggare i oktober.",),
        items=(
            ("Planera utbildningsdag för handläggare", "Pim Sukhon", hm, D(2026, 9, 15)),
            ("Underlag inför beslut om förlängning", "Sara Ekström", malmo, D(2027, 8, 31)),
        ),
    )
    _tick(second, "Ta fram en gemensam mall för kvartalsstatistik")
    del first
    _meeting(
        agreement,
        STEERING,
        D(2026, 2, 20),
        malmo,
        ctx=ctx,
        place="Stadshuset, Malmö",
        agenda="Styrgruppens uppdrag\nBudget 2026",
        attendees=(
            ("Camilla Öberg", "Avdelningschef", malmo),
            ("Maja Nordin", "Verksamhetschef", hm),
        ),
        decisions=("Styrgruppen sammanträder två gånger per år.",),
    )
    # Q3 passed without a follow-up meeting: the agreement page warns about it.
    _meeting(
        agreement,
        FOLLOWUP,
        D(2026, 12, 9),
        hm,
        status=PLANNED,
        place=place,
        ctx=ctx,
        agenda="Uppföljning av åtgärder\nStatistik tredje och fjärde kvartalet\nÅrsrapport 2026",
    )


def _bromodellen(ctx: DemoContext) -> None:
    agreement = ctx.agreements["bromodellen"]
    lkpg = ctx.organisations["linkoping"]
    bilda = ctx.organisations["bilda"]
    eriks = ctx.organisations["erikshjalpen"]
    people = (
        ("Lena Forsberg", "Koordinator", lkpg),
        ("Oskar Lund", "Verksamhetsutvecklare", bilda),
        ("Amira Hassan", "Butikschef", eriks),
    )
    amendment = agreement.versions.filter(summary__startswith="Budget 2025").first()
    for n, day in enumerate((D(2024, 3, 14), D(2024, 6, 13), D(2024, 9, 12), D(2024, 11, 20))):
        meeting = _meeting(
            agreement,
            FOLLOWUP,
            day,
            (lkpg, bilda, eriks)[n % 3],
            ctx=ctx,
            place="Erikshjälpen, Industrigatan 5, Linköping",
            agenda="Närvaro och progression\nAnvisningar\nEkonomi",
            attendees=people,
        )
        if day == D(2024, 11, 20):
            decision = Decision.objects.create(
                meeting=meeting,
                text="Budgeten för 2025 räknas upp med 2 % enligt överenskommelsen.",
                amendment=amendment,
            )
            del decision
    for day in (D(2025, 3, 13), D(2025, 6, 12), D(2025, 9, 11), D(2025, 12, 4)):
        meeting = _meeting(
            agreement,
            FOLLOWUP,
            day,
            lkpg,
            ctx=ctx,
            place="Bilda, Storgatan 10, Linköping",
            agenda="Närvaro och progression\nFörlängning av överenskommelsen",
            attendees=people,
        )
        if day == D(2025, 9, 11):
            Decision.objects.create(
                meeting=meeting,
                text="Parterna rekommenderar arbetsmarknadsnämnden att förlänga överenskommelsen två år.",
            )
            ActionItem.objects.create(
                meeting=meeting,
                description="Ta fram tjänsteskrivelse om förlängning",
                owner="Lena Forsberg",
                owner_organisation=lkpg,
                due_date=D(2025, 9, 30),
            )
    _meeting(
        agreement,
        STEERING,
        D(2025, 2, 6),
        lkpg,
        ctx=ctx,
        place="Stadshuset, Linköping",
        attendees=(("Per Sandberg", "Förvaltningschef", lkpg), ("Eva Dahl", "Regionchef", bilda)),
        decisions=("Årsrapporten för 2024 godkänns.",),
    )


def _malmokraften(ctx: DemoContext) -> None:
    agreement = ctx.agreements["malmokraften"]
    finsam = ctx.organisations["finsam"]
    malmo = ctx.organisations["malmo"]
    af = ctx.organisations["arbetsformedlingen"]
    fk = ctx.organisations["forsakringskassan"]
    people = (
        ("Ali Rahimi", "Projektledare", malmo),
        ("Johan Ek", "Sektionschef", af),
        ("Nora Blom", "Handläggare", fk),
        ("Helena Strand", "Förbundschef", finsam),
    )
    # Monthly follow-up (12 a year): held through October 2026, November and December planned.
    for month in range(1, 13):
        day = D(2026, month, 15 if month != 11 else 26)
        status = HELD if month <= 10 else PLANNED
        meeting = _meeting(
            agreement,
            FOLLOWUP,
            day,
            malmo,
            status=status,
            ctx=ctx,
            place="Malmökraftens lokaler, Malmö",
            agenda="Teamens läge\nStegförflyttningar\nSamverkan och sekretess",
            attendees=people if status == HELD else (),
        )
        if month == 9:
            ActionItem.objects.create(
                meeting=meeting,
                description="Sammanställ könsuppdelad statistik för tertial 2",
                owner="Ali Rahimi",
                owner_organisation=malmo,
                due_date=D(2026, 10, 31),
            )
            ActionItem.objects.create(
                meeting=meeting,
                description="Ta fram rutin för samtycke mellan myndigheterna",
                owner="Nora Blom",
                owner_organisation=fk,
                due_date=D(2026, 12, 15),
            )
    _meeting(
        agreement,
        STEERING,
        D(2026, 5, 20),
        finsam,
        ctx=ctx,
        place="FINSAM, Malmö",
        attendees=(
            ("Helena Strand", "Förbundschef", finsam),
            ("Camilla Öberg", "Avdelningschef", malmo),
        ),
        decisions=("Beslut om förlängning fattas senast 2026-06-30.",),
        items=(
            ("Underlag om förlängning till styrelsen", "Helena Strand", finsam, D(2026, 6, 15)),
        ),
    )
    _meeting(
        agreement,
        COLLABORATION,
        D(2026, 4, 8),
        malmo,
        ctx=ctx,
        attendees=people[:3],
        decisions=("Teamen delar lokaler från och med maj.",),
    )
