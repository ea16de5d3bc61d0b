from django.utils.translation import gettext_lazy as _

#: the rules engine's result codes (SPEC §5) as a citizen reads them
RESULT_LABELS = {
    "dibao": _("最低生活保障（低保）"),
    "dibao_single": _("单人保（重残重病成员单独纳入低保）"),
    "dibao_edge": _("低保边缘家庭"),
    "relative_poverty": _("相对贫困对象"),
    "tekun": _("特困人员救助供养"),
    "temporary": _("临时救助"),
    "expenditure_hardship": _("支出型困难家庭（按低保保障）"),
    "orphan": _("孤儿及事实无人抚养儿童基本生活费"),
    "child_in_hardship": _("重点困境儿童生活补贴"),
    "severe_disability": _("困难残疾人生活补贴和重度残疾人护理补贴"),
}
