from django.db import migrations


class Migration(migrations.Migration):
    """Fund-anomaly findings and notices/objections/complaints were built side by side (issue 11)."""

    dependencies = [
        ("integrity", "0007_anomaly_findings"),
        ("integrity", "0009_notice_references_unique"),
    ]

    operations = []
