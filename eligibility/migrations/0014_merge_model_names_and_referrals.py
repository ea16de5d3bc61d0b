from django.db import migrations


class Migration(migrations.Migration):
    """Issue 13's Chinese model names beside the fraud fine's standards and the referrals."""

    dependencies = [
        ("eligibility", "0012_chinese_model_names"),
        ("eligibility", "0013_merge_fraud_fine_and_referrals"),
    ]

    operations = []
