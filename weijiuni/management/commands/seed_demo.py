from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from applicants import demo as applicants_demo
from eligibility import demo as eligibility_demo
from eligibility.verification import demo as verification_demo
from payments import demo as payments_demo
from weijiuni import demo as hub_demo
from weijiuni import demo_anomalies
from weijiuni.dashboard.build import summaries_rebuild
from weijiuni.oversight import demo as oversight_demo


class Command(BaseCommand):
    help = "Load the demo data (SPEC §12). Idempotent; demo mode only."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run outside demo mode")

    def handle(self, *args, force=False, **options):
        if not (settings.DEMO or force):
            raise CommandError("seed_demo runs only in demo mode (WEIJIUNI_DEMO=1) or with --force")
        applicants_demo.seed()
        eligibility_demo.seed()
        eligibility_demo.seed_cases()
        verification_demo.seed()
        payments_demo.seed_payroll()
        hub_demo.seed()
        oversight_demo.seed()
        demo_anomalies.seed_anomalies()
        # the supervisor's dashboard shows the demo at once (the worker rebuilds it after
        # each later batch job, and beat every night)
        summaries_rebuild(reason="seed_demo")
        self.stdout.write(self.style.SUCCESS("demo data ready"))
        self.stdout.write(f"accounts (password {applicants_demo.DEMO_PASSWORD}):")
        for username, display, role, *_ in applicants_demo.ACCOUNTS:
            self.stdout.write(f"  {username:<13} {role.label} · {display}")
