from django.db import migrations


class Migration(migrations.Migration):
    """Issue 15's list indexes and stored villages beside the referrals and model names."""

    dependencies = [
        ("eligibility", "0012_list_indexes_and_dependant_village"),
        ("eligibility", "0014_merge_model_names_and_referrals"),
    ]

    operations = []
