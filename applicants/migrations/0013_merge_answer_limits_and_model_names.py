from django.db import migrations


class Migration(migrations.Migration):
    """Issue 11's answer time limits and issue 13's acceptance limit and model names, side by side."""

    dependencies = [
        ("applicants", "0011_answer_time_limits"),
        ("applicants", "0012_chinese_model_names"),
    ]

    operations = []
