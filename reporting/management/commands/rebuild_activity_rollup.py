"""Count afresh what the dashboards read instead of the raw rows: the daily totals of
contacts and attendance, the step spans and the enrolment rows (reporting/rollup.py)."""

from django.core.management.base import BaseCommand, CommandError

from reporting import rollup


class Command(BaseCommand):
    help = (
        "Räknar om det översikterna läser i stället för grunddata – dagssummorna av "
        "kontakter och närvaro, stegbedömningarnas perioder och inskrivningsraderna "
        "(reporting_contactday, reporting_attendanceday, reporting_assessmentspan, "
        "reporting_enrolmentrow). Behövs efter TRUNCATE/COPY eller om summorna "
        "ifrågasätts; --check jämför bara."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Jämför bara summorna med en ny räkning; avslutar med fel om de skiljer sig.",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, check: bool, database: str, **options) -> None:
        if check:
            found = rollup.differences(database)
            for row in found[:50]:
                self.stdout.write("\t".join(str(v) for v in row))
            if found:
                raise CommandError(f"{len(found)} summor skiljer sig från en ny räkning.")
            self.stdout.write("Summorna stämmer.")
            return
        rollup.install_triggers(database)
        rows = rollup.rebuild(database)
        self.stdout.write(", ".join(f"{table}: {n} rader" for table, n in rows.items()) + ".")
