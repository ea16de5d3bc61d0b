from django.core.management.base import BaseCommand

from weijiuni.dashboard.build import summaries_rebuild


class Command(BaseCommand):
    help = "Rebuild the supervisor dashboard's summary tables now (safe while another runs)."

    def handle(self, *args, **options):
        build = summaries_rebuild(reason="manage.py dashboard_rebuild")
        self.stdout.write(f"dashboard summaries: {build.rows} rows in {build.seconds:.2f} s")
