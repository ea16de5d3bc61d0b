"""Indexes for the inbox's search (issue 13): a member's name by its start, an ID number by its
last digits (a prefix of the reversed number). Both serve ``LIKE 'x%'`` whatever the collation."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0008_audit_append_only"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.RunSQL(
            "CREATE INDEX person_id_tail ON applicants_person "
            "((reverse(id_number::text)) text_pattern_ops)",
            "DROP INDEX person_id_tail",
        ),
    ]
