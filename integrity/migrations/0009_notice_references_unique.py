import integrity.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("integrity", "0008_notice_references_backfill")]
    operations = [
        migrations.AlterField(
            model_name="objection",
            name="reference",
            field=models.CharField(
                default=integrity.models.objection_reference,
                editable=False,
                max_length=12,
                unique=True,
                verbose_name="受理号",
            ),
        ),
        migrations.AlterField(
            model_name="publicnotice",
            name="reference",
            field=models.CharField(
                default=integrity.models.notice_reference,
                editable=False,
                max_length=12,
                unique=True,
                verbose_name="公示编号",
            ),
        ),
    ]
