import datetime as dt

from django.db import migrations

#: MZ-2021 (最低生活保障审核确认办法) and SPEC §6 defaults; later changes are new rows.
DEFAULTS = [
    ("investigation_days", 3, "MZ-2021: 受理后3个工作日内启动调查"),
    ("data_verification_days", 3, "MZ-2021: 3个工作日内反馈核对结果"),
    ("notice_days", 7, "MZ-2021: 村（居）公示7天"),
    ("decision_days", 10, "MZ-2021: 县级10个工作日内审批"),
    ("case_days", 30, "MZ-2021: 30个工作日内办结"),
    ("case_days_special", 45, "MZ-2021: 特殊情况45个工作日"),
    ("survey_min_staff", 2, "MZ-2021: 入户调查不少于2人"),
    ("review_months_stable", 12, "SPEC §6: 收入稳定家庭每年复核"),
    ("review_months_unstable", 6, "SPEC §6: 有劳动年龄成员每6个月复核"),
    ("review_lookahead_days", 30, "本地: 提前30天列入办件箱"),
    ("death_review_days", 90, "SPEC §6: 死亡3个月内复核"),
    ("change_review_days", 30, "本地: 情况变化30天内复核"),
    ("exit_months_max", 6, "SPEC §6: 渐退最长6个月"),
    ("tekun_exit_notice_days", 7, "SPEC §6: 终止特困供养公示7天"),
]


def load(apps, schema_editor):
    TimeLimit = apps.get_model("applicants", "TimeLimit")
    for code, value, note in DEFAULTS:
        TimeLimit.objects.get_or_create(
            code=code, effective_from=dt.date(2000, 1, 1), defaults={"value": value, "note": note}
        )


class Migration(migrations.Migration):
    dependencies = [("applicants", "0003_time_limits")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
