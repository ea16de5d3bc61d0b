from django.db import migrations


class Migration(migrations.Migration):
    """The dashboard's summaries and the hub's tables were built side by side (issue 12)."""

    dependencies = [
        ("weijiuni", "0001_dashboard_summaries"),
        ("weijiuni", "0001_hub"),
    ]

    operations = []
