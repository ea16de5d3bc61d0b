from django.db import migrations


class Migration(migrations.Migration):
    """The dashboard's summaries and the hub's tables were built side by side (issue 12)."""

    dependencies = [
        ("weijiuni", "0002_paid_batch_sums"),
        ("weijiuni", "0001_hub"),
    ]

    operations = []
