"""What people are entitled to: departments, the 9 categories, the N policies, and the
policy numbers (standards) with their effective dates."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applicants.choices import ChoiceLabels
from applicants.models import Area, Region, own_household_ids, region_scope


class Department(models.Model):
    """A department that runs policies and shares data through the hub (SPEC §3, §10)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """One of the 9 guaranteed-support categories (SPEC §3); codes are SPEC's."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("保障类别")
        verbose_name_plural = _("保障类别")

    def __str__(self) -> str:
        return self.name


class Policy(models.Model):
    """One of the N relief policies, owned by a department, serving some categories."""

    class BenefitKind(models.TextChoices):
        MONTHLY_CASH = "monthly_cash", _("按月发放现金")
        YEARLY_CASH = "yearly_cash", _("按年发放现金")
        ONE_OFF_CASH = "one_off_cash", _("一次性现金")
        SERVICE = "service", _("服务")
        IN_KIND = "in_kind", _("实物")
        FEE_REDUCTION = "fee_reduction", _("费用减免")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    department = models.ForeignKey(
        Department, verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="policies"
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("适用类别"), related_name="policies", blank=True
    )
    benefit_kind = models.CharField(_("待遇形式"), max_length=16, choices=BenefitKind.choices)
    description = models.TextField(_("政策说明"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    is_social_force = models.BooleanField(_("社会力量项目"), default=False)
    #: the rules' results this policy pays through the enrollment itself (低保金 pays 低保):
    #: entering such a result refers nobody to this policy (政策找人 refers to the others)
    paid_by_enrollment = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("随保障金发放的测算结果"),
        default=list,
        blank=True,
    )

    class Meta:
        ordering = ["department__code", "code"]
        verbose_name = _("救助政策")
        verbose_name_plural = _("救助政策")

    def __str__(self) -> str:
        return self.name


class StandardItem(models.TextChoices):
    """Every policy number of SPEC §4 that the rules engine reads (one row per version)."""

    DIBAO = "dibao", _("低保标准（元/人·月）")
    TEKUN_BASIC_MULTIPLE = "tekun_basic_multiple", _("特困基本生活标准倍数（向上取整到元）")
    CARE_FULL = "care_full", _("特困照料护理标准·全自理（元/人·年）")
    CARE_PARTIAL = "care_partial", _("特困照料护理标准·半护理（元/人·年）")
    CARE_NONE = "care_none", _("特困照料护理标准·全护理（元/人·年）")
    EDGE_MULTIPLE = "edge_multiple", _("低保边缘认定倍数")
    RELATIVE_POVERTY_MULTIPLE = "relative_poverty_multiple", _("相对贫困认定倍数（试点县）")
    TEMPORARY_MIN_MULTIPLE = "temporary_min_multiple", _("临时救助下限倍数")
    TEMPORARY_MAX_MULTIPLE = "temporary_max_multiple", _("临时救助上限倍数")
    MIGRANT_MAX_MULTIPLE = "migrant_max_multiple", _("农民工一次性救助上限倍数（城市标准）")
    MIGRANT_MIN_MONTHS = "migrant_min_months", _("农民工连续无收入月数下限")
    FINANCIAL_ASSET_MONTHS = "financial_asset_months", _("人均金融资产上限（月标准倍数）")
    MAX_HOUSES = "max_houses", _("住房套数上限")
    MAX_VEHICLES = "max_vehicles", _("机动车数量上限（不含残疾人代步车等）")
    BUSINESS_ALLOWED = "business_allowed", _("允许登记经营主体（1是0否）")
    SUPPORTER_EXEMPTION_MULTIPLE = "supporter_exemption_multiple", _("赡养人豁免倍数")
    SINGLE_PERSON_MULTIPLE = "single_person_multiple", _("单人保家庭人均收入倍数")
    DIBAO_FLOOR = "dibao_floor", _("低保金最低发放额（元/月）")
    WORK_REFUSAL_LIMIT = "work_refusal_limit", _("无正当理由拒绝就业次数（达到即减发本人份额）")
    TEMPORARY_TOWNSHIP_LIMIT = (
        "temporary_township_limit",
        _("临时救助镇街审批限额（元）"),
    )
    FRAUD_FINE_MIN_MULTIPLE = "fraud_fine_min_multiple", _("骗取保障金罚款倍数下限")
    FRAUD_FINE_MAX_MULTIPLE = "fraud_fine_max_multiple", _("骗取保障金罚款倍数上限")
    ADULT_AGE = "adult_age", _("成年年龄（周岁）")
    ELDERLY_AGE = "elderly_age", _("老年人年龄（周岁，特困无劳动能力）")
    ORPHAN_INSTITUTIONAL = "orphan_institutional", _("孤儿基本生活费·机构养育（元/人·月）")
    ORPHAN_DISPERSED = "orphan_dispersed", _("孤儿基本生活费·社会散居（元/人·月）")
    CHILD_HARDSHIP_ALLOWANCE = "child_hardship_allowance", _("重点困境儿童生活补贴（元/人·月）")
    DISABILITY_LIVING_ALLOWANCE = (
        "disability_living_allowance",
        _("困难残疾人生活补贴（元/人·月）"),
    )
    DISABILITY_CARE_ALLOWANCE = "disability_care_allowance", _("重度残疾人护理补贴（元/人·月）")


#: items that differ between urban and rural villages (the others apply to both)
AREA_ITEMS = {StandardItem.DIBAO}


@pghistory.track()
class Standard(models.Model):
    """One version of one policy number, in force from ``effective_from`` (SPEC §4).

    Rows are added, never edited: a change of standard is a new row with a later date, so
    every past assessment can be replayed with the numbers of its day. A county row beats the
    city row; an urban/rural row beats a row for both.
    """

    item = models.CharField(_("项目"), max_length=40, choices=StandardItem.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区域（市或县）"),
        on_delete=models.PROTECT,
        limit_choices_to={"level__in": ["city", "county"]},
        related_name="standards",
    )
    area = models.CharField(_("城乡"), max_length=5, choices=Area.choices, blank=True)
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=2)
    effective_from = models.DateField(_("执行日期"))
    note = models.CharField(_("依据/说明"), max_length=200, blank=True)
    #: dated in the future: re-evaluated by beat on its day, not now (issue 8)
    reevaluation_pending = models.BooleanField(_("待生效后重算"), default=False)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["item", "region__code", "area", "-effective_from"]
        verbose_name = _("救助标准")
        verbose_name_plural = _("救助标准")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "region", "area", "effective_from"], name="one_version_per_day"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="standard_not_negative"),
        ]
        indexes = [models.Index(fields=["item", "effective_from"])]

    def __str__(self) -> str:
        area = f" {self.get_area_display()}" if self.area else ""
        return f"{self.get_item_display()} {self.region}{area} {self.value} ({self.effective_from})"


class Verification(models.Model):
    """The outcome of household economic verification (家庭经济状况核对) for an application.

    The caseworker confirms or corrects each figure of the data-source report (with a reason
    for a correction); without a report the form starts from what the household declared.
    """

    application = models.ForeignKey(
        "applicants.Application", on_delete=models.PROTECT, related_name="verifications"
    )
    financial_assets_found = models.DecimalField(
        _("核对发现金融资产（元）"), max_digits=12, decimal_places=2, default=0
    )
    houses_found = models.PositiveSmallIntegerField(_("核对发现住房（套）"), default=0)
    vehicles_found = models.PositiveSmallIntegerField(_("核对发现车辆"), default=0)
    business_found = models.BooleanField(_("核对发现经营主体"), default=False)
    income_found = models.DecimalField(
        _("核对发现月收入合计（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    summary = models.TextField(_("核对结论"))
    #: the data-source report the figures were confirmed from (None: recorded by hand)
    report = models.ForeignKey(
        "eligibility.VerificationReport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="confirmations",
    )
    #: each figure as declared, found and confirmed, with the reason of a correction:
    #: {"financial": {"declared": "0.00", "found": "80000.00", "confirmed": "80000.00",
    #:  "reason": ""}, "income:12": {...}}
    figures = models.JSONField(_("核对数字"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("经济状况核对结果")
        verbose_name_plural = _("经济状况核对结果")
        constraints = [
            models.CheckConstraint(
                condition=Q(financial_assets_found__gte=0), name="verification_money_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.summary[:30]}"


class Survey(models.Model):
    """The home survey (入户调查): at least two staff, signed (MZ-2021)."""

    application = models.ForeignKey(
        "applicants.Application", on_delete=models.PROTECT, related_name="surveys"
    )
    visited_on = models.DateField(_("入户日期"))
    staff = models.JSONField(_("调查人员"), default=list)
    findings = models.TextField(_("调查情况"))
    signed = models.BooleanField(_("调查人员已签字"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")

    def __str__(self) -> str:
        return f"#{self.application_id} {self.visited_on}"


class Assessment(models.Model):
    """A frozen assessment: its inputs, the standards rows and numbers used, and the result.

    Replaying ``inputs`` with ``parameters`` through the rules engine gives ``result`` again,
    years later, whatever the standards tables say by then.
    """

    application = models.ForeignKey(
        "applicants.Application",
        on_delete=models.PROTECT,
        related_name="assessments",
        null=True,
        blank=True,
    )
    household = models.ForeignKey(
        "applicants.Household", on_delete=models.PROTECT, related_name="assessments"
    )
    on = models.DateField(_("测算日期"))
    inputs = models.JSONField(_("输入"))
    parameters = models.JSONField(_("所用标准"))
    standard_ids = models.JSONField(_("标准版本"), default=list)
    result = models.JSONField(_("结果"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("审核测算")
        verbose_name_plural = _("审核测算")
        triggers = [
            pgtrigger.Protect(
                name="assessments_frozen", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.on}"


class Decision(models.Model):
    """A county decision (审批决定): insert-only — who decided what, on which assessment."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("批准")
        REJECTED = "rejected", _("不予批准")

    application = models.ForeignKey(
        "applicants.Application", on_delete=models.PROTECT, related_name="decisions"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("决定"), max_length=10, choices=Outcome.choices)
    reasons = models.TextField(_("理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("审批决定")
        verbose_name_plural = _("审批决定")
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="decision_has_reasons")
        ]
        triggers = [
            pgtrigger.Protect(
                name="decisions_insert_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.get_outcome_display()}"


class EnrollmentQuerySet(models.QuerySet):
    def for_user(self, user):
        q = region_scope(
            user,
            path_field="village__path",
            citizen_q=lambda u: Q(household_id__in=own_household_ids(u)),
        )
        return self if q is None else self.filter(q)


# A change of amount alone is not repeated here: the amount history (EnrollmentAmount, insert-
# only, written by the one writer of amounts with before → after and why) is its trail, and a
# re-evaluation would otherwise write a million event rows beside a million amount rows.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude=["monthly_amount"])),
)
class Enrollment(ChoiceLabels, models.Model):
    """In the guarantee (在保): a household or one member in a category.

    The amount is a ledger (``EnrollmentAmount``, written only by
    ``eligibility.services.enrollments``): ``monthly_amount`` is the amount going forward and
    ``assessment`` the latest frozen facts, both kept by that one writer. ``end_month`` is the
    last month paid (inclusive); a gradual exit stays active until it has passed.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("在保")
        STOPPED = "stopped", _("已停保")

    household = models.ForeignKey(
        "applicants.Household",
        verbose_name=_("家庭"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    person = models.ForeignKey(
        "applicants.Person",
        verbose_name=_("保障成员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        help_text=_("单人保、特困按成员纳入；为空表示整户"),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("保障类别"), on_delete=models.PROTECT, related_name="+"
    )
    policy_code = models.CharField(_("结果代码"), max_length=40)
    monthly_amount = models.DecimalField(_("月保障金（元）"), max_digits=12, decimal_places=2)
    start_month = models.DateField(_("起始月份"))
    end_month = models.DateField(_("终止月份"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    decision = models.ForeignKey(
        Decision, verbose_name=_("审批决定"), on_delete=models.PROTECT, related_name="enrollments"
    )
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("测算记录"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("纳入时间"), auto_now_add=True)
    #: the household's village, kept by the database (trigger ``dependant_village``, migration
    #: 0013): scope is one indexed column here, not a join through every household (issue 15)
    village = models.ForeignKey(
        "applicants.Region",
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_month", "id"]
        verbose_name = _("保障对象")
        verbose_name_plural = _("保障对象")
        # the list's filters in the list's order (issue 15): a rare status or result code is
        # an index range, not a walk through every enrollment of the city
        indexes = [
            models.Index(fields=["village", "-id"], name="enrollment_village_order"),
            models.Index(fields=["status", "-id"], name="enrollment_status_order"),
            models.Index(fields=["policy_code", "-id"], name="enrollment_policy_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0), name="enrollment_amount_not_negative"
            ),
            models.UniqueConstraint(
                fields=["decision", "policy_code", "person"],
                name="one_enrollment_per_decision_result",
                nulls_distinct=False,
            ),
            # The last line against enrolling twice (issue 8): one active enrollment per
            # household in a whole-household category, per person in a per-person one.
            models.UniqueConstraint(
                fields=["household", "category"],
                condition=Q(status="active", person__isnull=True),
                name="one_active_household_enrollment_per_category",
            ),
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=Q(status="active", person__isnull=False),
                name="one_active_person_enrollment_per_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.monthly_amount} {self.start_month:%Y-%m}"


class Reevaluation(models.Model):
    """One re-evaluation of every active enrollment after a standard changes (调标重算).

    Split into chunks of enrollment ids; each chunk is done in one transaction, so a worker
    killed half-way leaves its chunk untouched and the chunk is simply done again.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")

    standard = models.ForeignKey(
        Standard, verbose_name=_("标准"), on_delete=models.PROTECT, related_name="reevaluations"
    )
    effective_from = models.DateField(_("执行日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    #: rules-engine Parameters per "county:area" in force on the effective date, frozen
    parameters = models.JSONField(_("所用标准参数"), default=dict)
    standard_ids = models.JSONField(_("标准版本"), default=dict)
    chunks_total = models.PositiveIntegerField(_("分批总数"), default=0)
    chunks_done = models.PositiveIntegerField(_("已完成批数"), default=0)
    enrollments_total = models.PositiveIntegerField(_("保障对象总数"), default=0)
    processed = models.PositiveIntegerField(_("已重算"), default=0)
    changed = models.PositiveIntegerField(_("金额变化"), default=0)
    report = models.JSONField(_("变更汇总"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("调标重算")
        verbose_name_plural = _("调标重算")

    def __str__(self) -> str:
        return f"#{self.pk} {self.standard} {self.get_status_display()}"


class ReevaluationChunk(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        DONE = "done", _("已完成")

    run = models.ForeignKey(Reevaluation, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    processed = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("重算分批")
        verbose_name_plural = _("重算分批")
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="one_chunk_per_index")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.index} {self.status}"


class EnrollmentAmount(models.Model):
    """The amount ledger of an enrollment (待遇变更记录): every amount, from which month, why.

    Insert-only. The amount due for a month is the row written last among those effective in
    or before that month, so a correction dated in the past (a standard, a death) supersedes
    what was paid, and the months already paid show what was owed. ``assessment`` holds the
    facts in force from that month; a re-evaluation's numbers are frozen on the run, a review's
    on its assessment, so every row can be replayed.
    """

    # The ledger's own index (enrollment, month, id) leads with the enrollment: no second one.
    # Rows are never deleted (trigger), so the other foreign keys need no index for PROTECT;
    # a re-evaluation inserts a million rows, and every index is paid on each.
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="amounts", db_index=False
    )
    amount = models.DecimalField(_("月保障金（元）"), max_digits=12, decimal_places=2)
    previous_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    effective_month = models.DateField(_("生效月份"))
    reason = models.CharField(_("原因"), max_length=200)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reevaluation = models.ForeignKey(
        Reevaluation, on_delete=models.PROTECT, null=True, blank=True, related_name="amounts"
    )
    review = models.ForeignKey(
        "Review",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amounts",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrollment", "effective_month", "id"]
        verbose_name = _("待遇变更记录")
        verbose_name_plural = _("待遇变更记录")
        indexes = [
            models.Index(fields=["enrollment", "effective_month", "id"], name="amount_ledger")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "reevaluation", "effective_month"],
                name="one_amount_per_reevaluation_month",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="history_amount_not_negative"),
        ]
        # The amount history is insert-only: a change of amount is a new row, never an edit.
        triggers = [
            pgtrigger.Protect(
                name="amounts_insert_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.amount} {self.effective_month:%Y-%m}"


@pghistory.track()
class Review(ChoiceLabels, models.Model):
    """A review of an enrolled household (复核): periodic, or opened by a reported change."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("定期复核")
        CHANGE = "change", _("情况变化")
        DEATH = "death", _("成员死亡")

    class Status(models.TextChoices):
        OPEN = "open", _("待复核")
        CLOSED = "closed", _("已复核")

    class Outcome(models.TextChoices):
        KEEP = "keep", _("维持不变")
        INCREASE = "increase", _("增发")
        REDUCE = "reduce", _("减发")
        STOP = "stop", _("停保")
        GRADUAL_EXIT = "gradual_exit", _("渐退")

    household = models.ForeignKey(
        "applicants.Household", on_delete=models.PROTECT, related_name="reviews"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField(_("复核时限"), db_index=True)
    reported_change = models.TextField(_("变化情况"), blank=True)
    outcome = models.CharField(_("复核结果"), max_length=15, choices=Outcome.choices, blank=True)
    reasons = models.TextField(_("理由"), blank=True)
    effective_month = models.DateField(_("生效月份"), null=True, blank=True)
    exit_months = models.PositiveSmallIntegerField(_("渐退月数"), null=True, blank=True)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: a stop, reduction or gradual exit proposed by the township waits for the county
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提出时间"), null=True, blank=True)
    confirm_reasons = models.TextField(_("县级确认意见"), blank=True, db_default="")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: the household's village, kept by the database like Enrollment.village (issue 15)
    village = models.ForeignKey(
        "applicants.Region",
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("复核")
        verbose_name_plural = _("复核")
        # the list's filters in the list's order (issue 15)
        indexes = [
            models.Index(fields=["village", "due_on", "id"], name="review_village_order"),
            models.Index(fields=["status", "due_on", "id"], name="review_status_order"),
            models.Index(fields=["kind", "due_on", "id"], name="review_kind_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(status="open"),
                name="one_open_review_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(outcome="") & ~Q(reasons="")),
                name="closed_review_has_outcome_and_reasons",
            ),
            models.CheckConstraint(
                condition=Q(proposed_by__isnull=True) | ~Q(proposed_by=F("closed_by")),
                name="review_proposer_is_not_confirmer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.household_id} {self.due_on}"

    @property
    def awaiting_confirmation(self) -> bool:
        """Proposed by the township, waiting for the county approver (待县级确认)."""
        return self.status == self.Status.OPEN and self.proposed_at is not None


class WorkRefusal(models.Model):
    """A member's refusal of suitable work without good reason (无正当理由拒绝就业)."""

    person = models.ForeignKey(
        "applicants.Person", on_delete=models.PROTECT, related_name="work_refusals"
    )
    refused_on = models.DateField(_("日期"))
    offer = models.CharField(_("介绍的工作"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "refused_on"]
        verbose_name = _("拒绝就业记录")
        verbose_name_plural = _("拒绝就业记录")

    def __str__(self) -> str:
        return f"{self.person_id} {self.refused_on}"


class TemporaryGrant(models.Model):
    """A one-off 临时救助 payment (SPEC §5): sized by the caseworker within the rules' range,
    approved by the township up to its limit and by the county above it, and handed to
    payments to be paid once. An emergency (急难) may be paid first and documented after
    (先行救助): then ``file_due_on`` is when the case must be complete.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", _("已批准待发放")
        PAID = "paid", _("已发放")
        CANCELLED = "cancelled", _("已撤销")

    application = models.OneToOneField(
        "applicants.Application", on_delete=models.PROTECT, related_name="temporary_grant"
    )
    household = models.ForeignKey(
        "applicants.Household", on_delete=models.PROTECT, related_name="temporary_grants"
    )
    hardship_type = models.CharField(_("困难类型"), max_length=20)
    amount = models.DecimalField(_("救助金额（元）"), max_digits=12, decimal_places=2)
    min_amount = models.DecimalField(max_digits=12, decimal_places=2)
    max_amount = models.DecimalField(max_digits=12, decimal_places=2)
    advance = models.BooleanField(_("先行救助"), default=False)
    file_due_on = models.DateField(_("补齐材料时限"), null=True, blank=True)
    file_completed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.APPROVED
    )
    reasons = models.TextField(_("理由"))
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-approved_at"]
        verbose_name = _("临时救助发放")
        verbose_name_plural = _("临时救助发放")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(amount__gte=F("min_amount"))
                & Q(amount__lte=F("max_amount")),
                name="temporary_amount_within_range",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.amount}"


# Household economic verification lives in its own room (eligibility/verification/); its models
# belong to this app.
from .verification.models import (  # noqa: E402, F401
    DataItem,
    DataSource,
    Finding,
    ResultFile,
    SourceQuery,
    SourceRecord,
    VerificationReport,
    VerificationRequest,
)


@pghistory.track()
class Referral(models.Model):
    """政策找人 (SPEC §3, §10): a household referred to the department owning a policy that
    serves a category it has just entered. The department's officer accepts it, declines it
    with a reason, and records each benefit given (``ReferralBenefit``).

    ``department`` is the policy's owner when the referral was made (a policy changing hands
    later does not move old referrals between inboxes) and is what the inbox is scoped by.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待接收")
        ACCEPTED = "accepted", _("已接收")
        DECLINED = "declined", _("不予受理")

    household = models.ForeignKey(
        "applicants.Household",
        verbose_name=_("家庭"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    person = models.ForeignKey(
        "applicants.Person",
        verbose_name=_("相关成员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text=_("按成员纳入的类别（特困、孤儿等）所涉成员；为空表示整户"),
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("救助政策"), on_delete=models.PROTECT, related_name="referrals"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="referrals"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("触发类别"), on_delete=models.PROTECT, related_name="+"
    )
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("保障对象"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decline_reason = models.CharField(_("不予受理理由"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("转介时间"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("办理时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("政策转介")
        verbose_name_plural = _("政策转介")
        indexes = [
            models.Index(fields=["department", "status", "created_at"], name="referral_inbox"),
        ]
        constraints = [
            # Entering a second category served by the same policy refers nobody twice: one
            # open referral (pending or accepted) per household and policy.
            models.UniqueConstraint(
                fields=["household", "policy"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_open_referral_per_household_policy",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="declined_referral_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} → #{self.household_id} {self.status}"


class ReferralBenefit(models.Model):
    """A benefit a department gave on a referral (待遇落实): what, when, how much. Insert-only:
    a correction is a new row."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("政策转介"), on_delete=models.PROTECT, related_name="benefits"
    )
    given_on = models.DateField(_("落实日期"))
    description = models.CharField(_("落实待遇"), max_length=200)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["given_on", "id"]
        verbose_name = _("转介待遇落实")
        verbose_name_plural = _("转介待遇落实")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="referral_benefit_amount_not_negative",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="referral_benefits_insert_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.description}"
