from django.db import migrations


class Migration(migrations.Migration):
    """The fraud fine's standards (issue 9) and the hub's referrals (issue 12), side by side."""

    dependencies = [
        ("eligibility", "0012_fraud_fine_standards"),
        ("eligibility", "0012_referrals"),
    ]

    operations = []
