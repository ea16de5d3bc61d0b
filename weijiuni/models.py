"""The hub (the "1", SPEC §10): departments' shared information resources, social
organizations with their projects and the household needs they take, 春风万家 service
deliveries, the 幸福公益银行 points ledger (海贝分), the 12349 service line, and grassroots
staff with their training.

The supervisor dashboard's summaries (督导看板汇总表) are here too, at the end: what the
dashboard reads instead of grouping the raw tables per request.

Referrals to departments (政策找人) follow policies and live in ``eligibility``. Every number
that is policy (points per delivery, a window's response time) is a row with an effective
date or an editable field, never a literal.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# --- departments and what they share (SPEC §10) --------------------------------------------


class InformationResource(models.Model):
    """信息资源: a data set a department shares through the hub — which items, with which
    departments, how often and how (the city's 17 departments share 74, SPEC §3)."""

    class Frequency(models.TextChoices):
        REALTIME = "realtime", _("实时")
        DAILY = "daily", _("每日")
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        YEARLY = "yearly", _("每年")
        ON_REQUEST = "on_request", _("按需查询")

    class Channel(models.TextChoices):
        API = "api", _("接口调用")
        FILE = "file", _("批量文件交换")
        QUERY = "query", _("在线查询核对")

    code = models.SlugField(_("资源代码"), max_length=60, unique=True)
    name = models.CharField(_("资源名称"), max_length=80)
    department = models.ForeignKey(
        "eligibility.Department",
        verbose_name=_("提供部门"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    items = models.CharField(_("共享数据项"), max_length=300)
    shared_with = models.ManyToManyField(
        "eligibility.Department",
        verbose_name=_("共享给"),
        related_name="resources_received",
        blank=True,
    )
    frequency = models.CharField(_("更新频率"), max_length=12, choices=Frequency.choices)
    channel = models.CharField(_("共享方式"), max_length=8, choices=Channel.choices)
    is_public = models.BooleanField(_("向社会公开目录"), default=True)
    updated_on = models.DateField(_("最近更新"), null=True, blank=True)

    class Meta:
        ordering = ["department__code", "code"]
        verbose_name = _("共享信息资源")
        verbose_name_plural = _("共享信息资源")

    def __str__(self) -> str:
        return self.name


# --- services and points (海贝分) -----------------------------------------------------------


class ServiceKind(models.Model):
    """A kind of service a household may need and an organization may give: 助餐, 助洁,
    助医 of the 春风万家 programme, and others (data, editable in the admin)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    programme = models.CharField(_("所属项目"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")

    def __str__(self) -> str:
        return self.name


class PointsRate(models.Model):
    """How many 海贝分 an organization earns per delivery of a service kind, or per project
    completed, from a date (a change never rewrites points already earned)."""

    class Event(models.TextChoices):
        DELIVERY = "delivery", _("每次服务")
        PROJECT = "project", _("项目完成")

    event = models.CharField(_("计分事项"), max_length=10, choices=Event.choices)
    service_kind = models.ForeignKey(
        ServiceKind,
        verbose_name=_("服务类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    points = models.PositiveIntegerField(_("海贝分"), validators=[MaxValueValidator(100000)])
    effective_from = models.DateField(_("执行日期"))

    class Meta:
        ordering = ["event", "service_kind", "-effective_from"]
        verbose_name = _("海贝分计分标准")
        verbose_name_plural = _("海贝分计分标准")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "service_kind", "effective_from"],
                name="one_points_rate_per_day",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(event="project", service_kind__isnull=True)
                | Q(event="delivery", service_kind__isnull=False),
                name="points_rate_kind_matches_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.service_kind or ''} {self.points}"


class Benefit(models.Model):
    """An item listed for exchange at the 幸福公益银行 (兑换项目): what it costs in 海贝分 and
    how many are left (``stock`` empty: unlimited)."""

    name = models.CharField(_("兑换项目"), max_length=80, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    points = models.PositiveIntegerField(
        _("所需海贝分"), validators=[MinValueValidator(1), MaxValueValidator(10_000_000)]
    )
    stock = models.PositiveIntegerField(_("剩余数量"), null=True, blank=True)
    is_active = models.BooleanField(_("可兑换"), default=True)

    class Meta:
        ordering = ["points", "name"]
        verbose_name = _("兑换项目")
        verbose_name_plural = _("兑换项目")
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="benefit_costs_points"),
        ]

    def __str__(self) -> str:
        return self.name


# --- social organizations (社会力量) --------------------------------------------------------


class SocialOrganization(models.Model):
    """A registered social organization (社会组织) taking part in assistance."""

    class Kind(models.TextChoices):
        SOCIAL_GROUP = "social_group", _("社会团体")
        SERVICE_AGENCY = "service_agency", _("社会服务机构")
        FOUNDATION = "foundation", _("基金会")
        VOLUNTEER = "volunteer", _("志愿服务组织")

    name = models.CharField(_("名称"), max_length=80, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        "applicants.Region", verbose_name=_("登记地"), on_delete=models.PROTECT, related_name="+"
    )
    contact_phone = models.CharField(_("机构联系电话"), max_length=20, blank=True)
    evaluation_grade = models.PositiveSmallIntegerField(
        _("社会组织评估等级（A）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    is_active = models.BooleanField(_("正常开展活动"), default=True)
    created_at = models.DateTimeField(_("入驻时间"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        constraints = [
            models.CheckConstraint(
                condition=Q(evaluation_grade__isnull=True)
                | Q(evaluation_grade__gte=1, evaluation_grade__lte=5),
                name="organization_grade_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationAccount(models.Model):
    """Which organization an ``organization`` user works for (one each)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="organization_account",
    )
    organization = models.ForeignKey(
        SocialOrganization,
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="accounts",
    )

    class Meta:
        verbose_name = _("社会组织账号")
        verbose_name_plural = _("社会组织账号")

    def __str__(self) -> str:
        return f"{self.user} · {self.organization}"


class Project(models.Model):
    """救助项目: what an organization offers — its funding, how many people it can take, the
    area it serves and the kinds of service it gives (社会力量参与救助项目在线对接)."""

    class Status(models.TextChoices):
        OPEN = "open", _("对接中")
        COMPLETED = "completed", _("已完成")

    organization = models.ForeignKey(
        SocialOrganization,
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    name = models.CharField(_("项目名称"), max_length=80)
    description = models.CharField(_("项目简介"), max_length=500, blank=True)
    funding = models.DecimalField(_("项目资金（元）"), max_digits=12, decimal_places=2)
    capacity = models.PositiveIntegerField(
        _("可服务人数"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    area = models.ForeignKey(
        "applicants.Region",
        verbose_name=_("服务区域"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_kinds = models.ManyToManyField(
        ServiceKind, verbose_name=_("服务内容"), related_name="projects"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("救助项目")
        verbose_name_plural = _("救助项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(funding__gte=0), name="project_funding_not_negative"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="project_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Need(models.Model):
    """救助需求: a household member's need for a service, recorded by the township or the
    village assistant with the household's consent to share it with an organization, and
    taken by one project whose area and service kinds fit. A need recorded on an enrollment is
    "material + service" proactive assistance (物质+服务): the enrollment carries it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待对接")
        MATCHED = "matched", _("已对接")
        CLOSED = "closed", _("已办结")
        CANCELLED = "cancelled", _("已撤销")

    class ConsentChannel(models.TextChoices):
        WRITTEN = "written", _("书面签字")
        PHONE = "phone", _("电话确认")
        ONLINE = "online", _("网上确认")

    household = models.ForeignKey(
        "applicants.Household",
        verbose_name=_("家庭"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    person = models.ForeignKey(
        "applicants.Person",
        verbose_name=_("服务对象"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    service_kind = models.ForeignKey(
        ServiceKind, verbose_name=_("需求类别"), on_delete=models.PROTECT, related_name="needs"
    )
    detail = models.CharField(_("情况说明"), max_length=500, blank=True)
    enrollment = models.ForeignKey(
        "eligibility.Enrollment",
        verbose_name=_("随保障对象（物质+服务）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    consent_at = models.DateTimeField(_("同意对接时间"))
    consent_channel = models.CharField(_("同意方式"), max_length=8, choices=ConsentChannel.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    project = models.ForeignKey(
        Project,
        verbose_name=_("对接项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
    )
    matched_at = models.DateTimeField(_("对接时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("救助需求")
        verbose_name_plural = _("救助需求")
        indexes = [models.Index(fields=["status", "service_kind"], name="need_matching")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "cancelled"]) | Q(project__isnull=False),
                name="matched_need_has_project",
            ),
            # one open or served need per person and kind: the same need is not listed twice
            models.UniqueConstraint(
                fields=["person", "service_kind"],
                condition=Q(status__in=["open", "matched"]),
                name="one_live_need_per_person_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_kind} #{self.person_id} {self.status}"


class Delivery(models.Model):
    """A service given to one person (春风万家 助餐, 助洁, 助医 …) under a project: once per
    person, kind and day — whichever project or organization records it — so recording it
    twice earns nothing twice. Its kind is its need's kind (checked by ``delivery_record``)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="deliveries"
    )
    organization = models.ForeignKey(
        SocialOrganization,
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("需求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    person = models.ForeignKey(
        "applicants.Person",
        verbose_name=_("服务对象"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    service_kind = models.ForeignKey(
        ServiceKind, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="+"
    )
    delivered_on = models.DateField(_("服务日期"))
    note = models.CharField(_("服务内容"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        constraints = [
            # not per project: two needs of one person taken by two projects (or a need's
            # delivery recorded under another kind) earned twice for one service
            models.UniqueConstraint(
                fields=["person", "service_kind", "delivered_on"],
                name="one_delivery_per_person_kind_day_any_project",
            )
        ]
        indexes = [models.Index(fields=["organization", "delivered_on"], name="delivery_org_day")]

    def __str__(self) -> str:
        return f"{self.service_kind} #{self.person_id} {self.delivered_on}"


class PointsAccount(models.Model):
    """An organization's account at the 幸福公益银行. ``balance`` is the sum of its ledger,
    kept by the one writer (``weijiuni.services.points``) under a row lock; the database
    refuses a negative balance whatever the code does."""

    organization = models.OneToOneField(
        SocialOrganization,
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="points_account",
    )
    balance = models.BigIntegerField(_("海贝分余额"), default=0)

    class Meta:
        verbose_name = _("海贝分账户")
        verbose_name_plural = _("海贝分账户")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.balance}"


class PointsEntry(models.Model):
    """One line of the points ledger (海贝分): earned per delivery or per project completed,
    spent on a listed benefit. Insert-only; a delivery and a project earn once (unique)."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("服务积分")
        PROJECT = "project", _("项目积分")
        EXCHANGE = "exchange", _("兑换")

    account = models.ForeignKey(
        PointsAccount, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    points = models.BigIntegerField(_("海贝分（+得 −用）"))
    balance_after = models.BigIntegerField(_("余额"))
    delivery = models.OneToOneField(
        Delivery,
        verbose_name=_("服务记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_entry",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_entries",
    )
    benefit = models.ForeignKey(
        Benefit,
        verbose_name=_("兑换项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchanges",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("海贝分明细")
        verbose_name_plural = _("海贝分明细")
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="points_entry_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind="delivery", delivery__isnull=False, points__gt=0)
                | Q(kind="project", project__isnull=False, points__gt=0)
                | Q(kind="exchange", benefit__isnull=False, points__lt=0),
                name="points_entry_kind_matches_source",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind="project"),
                name="project_earns_points_once",
            ),
        ]
        indexes = [models.Index(fields=["account", "-created_at"], name="points_ledger")]
        triggers = [
            pgtrigger.Protect(
                name="points_ledger_insert_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.points:+d}"


# --- the 12349 service line ----------------------------------------------------------------


class ServiceWindow(models.Model):
    """A window of the 12349 line (生活服务, 急难救助, 政府购买服务) with the time within
    which a request must be assigned (hours; data, editable)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    response_hours = models.PositiveIntegerField(
        _("响应时限（小时）"), validators=[MinValueValidator(1), MaxValueValidator(24 * 90)]
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("12349服务窗口")
        verbose_name_plural = _("12349服务窗口")

    def __str__(self) -> str:
        return self.name


class ServiceRequest(models.Model):
    """A request to the 12349 line: by phone (entered by staff) or online (the citizen),
    in a window, assigned to a provider, completed and rated."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("12349热线")
        ONLINE = "online", _("网上申请")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        ASSIGNED = "assigned", _("已派单")
        COMPLETED = "completed", _("已办结")
        CANCELLED = "cancelled", _("已撤销")

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    window = models.ForeignKey(
        ServiceWindow, verbose_name=_("服务窗口"), on_delete=models.PROTECT, related_name="+"
    )
    service_kind = models.ForeignKey(
        ServiceKind,
        verbose_name=_("服务类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    region = models.ForeignKey(
        "applicants.Region",
        verbose_name=_("所在村居"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        "applicants.Household",
        verbose_name=_("家庭"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
    )
    caller_name = models.CharField(_("来电人/申请人"), max_length=50)
    caller_phone = models.CharField(_("联系电话"), max_length=20)
    description = models.CharField(_("诉求内容"), max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网上申请人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接线人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="received")
    due_at = models.DateTimeField(_("派单时限"))
    provider = models.ForeignKey(
        SocialOrganization,
        verbose_name=_("服务提供方"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("派单人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completion_note = models.CharField(_("办理情况"), max_length=500, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("满意度（1–5）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("评价"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("受理时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("12349服务诉求")
        verbose_name_plural = _("12349服务诉求")
        indexes = [
            models.Index(fields=["status", "due_at"], name="request_queue"),
            models.Index(fields=["provider", "status"], name="request_provider"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["received", "cancelled"]) | Q(provider__isnull=False),
                name="assigned_request_has_provider",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="request_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(status="completed"),
                name="only_completed_requests_are_rated",
            ),
        ]

    def __str__(self) -> str:
        return f"12349 #{self.pk} {self.status}"


# --- grassroots staff and training (SPEC §10) ----------------------------------------------


class StaffMember(models.Model):
    """A grassroots social-assistance worker: township staff (镇街经办人员) or a village
    assistant (村居民政协理员)."""

    class Kind(models.TextChoices):
        TOWNSHIP = "township", _("镇街经办人员")
        VILLAGE_ASSISTANT = "village_assistant", _("村居民政协理员")

    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("岗位"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        "applicants.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_record",
    )
    started_on = models.DateField(_("上岗日期"))
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        ordering = ["region__path", "name"]
        verbose_name = _("基层经办人员")
        verbose_name_plural = _("基层经办人员")

    def __str__(self) -> str:
        return self.name


class TrainingSession(models.Model):
    """A training session (业务培训) and who attended it."""

    title = models.CharField(_("培训主题"), max_length=100)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    organizer = models.CharField(_("主办单位"), max_length=60)
    region = models.ForeignKey(
        "applicants.Region", verbose_name=_("举办区划"), on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.ManyToManyField(
        StaffMember, verbose_name=_("参训人员"), through="Attendance", related_name="sessions"
    )

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("业务培训")
        verbose_name_plural = _("业务培训")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=80), name="training_hours_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Attendance(models.Model):
    """One staff member at one session (once)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("考核合格"), default=True)

    class Meta:
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="attend_a_session_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.staff_id}"


# --- the supervisor dashboard's summaries (issue 12 item 6) -----------------------------


class SummaryRow(models.Model):
    """One figure of the supervisor dashboard: a metric for one township, one period and one
    key (a category, a hardship type, a time limit …), as the last rebuild found it.

    Written only by ``weijiuni.dashboard.build.summaries_rebuild`` (delete + insert in one
    transaction under an advisory lock); pages and the API read these rows and never group the
    raw tables per request. ``path`` is the township's region path, so a reader's scope and a
    drill-down are one indexed prefix match.
    """

    metric = models.CharField(_("指标"), max_length=40)
    township = models.ForeignKey(
        "applicants.Region", verbose_name=_("镇街"), on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(_("区划路径"), max_length=80)
    period = models.DateField(_("期间"))
    key = models.CharField(_("分组"), max_length=40, blank=True)
    n = models.BigIntegerField(_("件数/户数/人次"), default=0)
    people = models.BigIntegerField(_("人数"), default=0)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("看板汇总")
        verbose_name_plural = _("看板汇总")
        indexes = [
            models.Index(
                fields=["metric", "path", "period"],
                name="summary_metric_path",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.path} {self.period} {self.key}"


class SummaryBuild(models.Model):
    """One rebuild of the summaries: when, why, how long, how many rows (the page shows the
    time of the last one: its figures are as of then)."""

    reason = models.CharField(_("触发原因"), max_length=60)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"))
    seconds = models.FloatField(_("耗时（秒）"))
    rows = models.PositiveIntegerField(_("汇总行数"))
    #: the day "overdue" and "today" meant for this build
    as_of = models.DateField(_("统计日期"))

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("看板汇总重建")
        verbose_name_plural = _("看板汇总重建")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} {self.reason}"


class PaidBatch(models.Model):
    """A reconciled payroll batch whose paid lines are summed in :class:`PaidBatchRow`.

    Once a batch is reconciled every bank file has answered and its lines' statuses are final
    (a failed payment is paid again by a new line in a later batch), so its sums never change:
    the rebuild sums each batch's lines once instead of reading every month's lines again."""

    batch = models.OneToOneField(
        "payments.Batch", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    summed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("已汇总的对账批次")
        verbose_name_plural = _("已汇总的对账批次")

    def __str__(self) -> str:
        return f"{self.batch_id}"


class PaidBatchRow(models.Model):
    """The paid lines of one reconciled batch, per township, month and category."""

    batch = models.ForeignKey(PaidBatch, on_delete=models.CASCADE, related_name="rows")
    township = models.ForeignKey("applicants.Region", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    category = models.CharField(max_length=40)
    n = models.BigIntegerField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("对账批次发放汇总")
        verbose_name_plural = _("对账批次发放汇总")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.township_id} {self.month} {self.category}"
