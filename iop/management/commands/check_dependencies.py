"""Compare the lock files and the installed packages with dependency-minimums.txt, offline."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iop.dependencies import LOCK_FILES, check_installed, check_lock_files


class Command(BaseCommand):
    help = (
        "Kontrollerar offline att varje låst paket är minst den version som rättar en känd "
        "sårbarhet (dependency-minimums.txt)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--lock", action="append", type=Path, help="En låsfil (standard: båda i projektet)."
        )
        parser.add_argument(
            "--no-installed", action="store_true", help="Kontrollera inte installerade paket."
        )

    def handle(self, *args, **options) -> None:
        problems = check_lock_files(options["lock"] or LOCK_FILES)
        if not options["no_installed"]:
            problems += check_installed()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} paket är äldre än sin lägsta säkra version.")
        self.stdout.write("Alla låsta och installerade paket når sina lägsta säkra versioner.")
