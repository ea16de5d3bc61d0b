from django.db import migrations


def backfill(apps, schema_editor):
    """Notices and objections made before references existed get one; a notice learns its
    village from its household, and a decided case's notice its outcome."""
    from integrity.models import notice_reference, objection_reference

    for name, make in (("PublicNotice", notice_reference), ("Objection", objection_reference)):
        model = apps.get_model("integrity", name)
        for pk in model.objects.filter(reference__isnull=True).values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(reference=make())
    schema_editor.execute(
        "UPDATE integrity_publicnotice n SET village_id = h.village_id "
        "FROM applicants_household h WHERE h.id = n.household_id AND n.village_id IS NULL"
    )
    schema_editor.execute(
        "UPDATE integrity_publicnotice n SET decided_on = (a.decided_at AT TIME ZONE 'Asia/Shanghai')::date, "
        "outcome = CASE WHEN a.state = 'rejected' THEN 'rejected' ELSE 'approved' END "
        "FROM applicants_application a WHERE a.id = n.application_id AND NOT n.closed_early "
        "AND a.decided_at IS NOT NULL AND a.state IN ('approved', 'enrolled', 'rejected') "
        "AND n.outcome = ''"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0010_chinese_field_labels"),
        ("integrity", "0007_notices_objections_complaints_register"),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
