from django.db import migrations


class Migration(migrations.Migration):
    """Issue 15's list indexes beside issues 11 and 13's time limits."""

    dependencies = [
        ("applicants", "0011_application_list_order"),
        ("applicants", "0014_timelimit_codes_of_issues_11_and_13"),
    ]

    operations = []
