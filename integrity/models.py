"""Trust and oversight (SPEC §9): the audit trail of reads, refused attempts, commitments,
public notices and objections, the dishonesty register, complaints."""

from __future__ import annotations

import secrets

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """One read of personal data (个人信息查阅记录): who, what, when, from where, and whether
    they saw it masked (SPEC §1; issue 14: masked reads are logged too)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("用户")
    )
    object_type = models.CharField(_("对象类型"), max_length=40)
    object_id = models.BigIntegerField(_("对象编号"))
    fields = models.CharField(_("查阅字段"), max_length=200)
    channel = models.CharField(_("渠道"), max_length=10)  # "page" | "api" | "admin"
    masked = models.BooleanField(_("脱敏查阅"), default=False, db_default=False)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息查阅记录")
        verbose_name_plural = _("个人信息查阅记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        # The audit trail is append-only (issue 11, 14): no UPDATE or DELETE, whoever asks.
        triggers = [
            pgtrigger.Protect(
                name="access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.object_type}#{self.object_id} {self.at:%Y-%m-%d %H:%M}"


class Commitment(models.Model):
    """A signed truthfulness commitment (守信承诺) or verification authorization (核对授权)."""

    class Kind(models.TextChoices):
        TRUTHFULNESS = "truthfulness", _("守信承诺")
        AUTHORIZATION = "authorization", _("核对授权")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上签署")
        WINDOW = "window", _("窗口签署")
        PROXY = "proxy", _("代办签署")

    application = models.ForeignKey(
        "applicants.Application", on_delete=models.PROTECT, related_name="commitments"
    )
    person = models.ForeignKey("applicants.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签署时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺与授权")
        verbose_name_plural = _("承诺与授权")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "person", "kind"], name="one_signature_per_kind"
            )
        ]
        # A signature, once given, is evidence: it is never edited or taken back in place.
        triggers = [
            pgtrigger.Protect(
                name="commitments_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id}"


def new_reference(prefix: str) -> str:
    """A public reference (公示编号, 异议/投诉受理号): a prefix and 10 random characters of an
    alphabet without look-alikes, so that a reference cannot be guessed from another."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(10))


def notice_reference() -> str:
    return new_reference("GS")


def objection_reference() -> str:
    return new_reference("YY")


def complaint_reference() -> str:
    return new_reference("TS")


@pghistory.track()
class PublicNotice(models.Model):
    """A 7-day public notice (公示) in the village: of a proposed case (MZ-2021), or of the end
    of 特困 support (SPEC §6). It holds only what SPEC §9 lets a notice show — the masked name,
    household size, category and monthly amount — never an ID number, address, illness or
    disability. After the county's decision it stays published as the result list (``outcome``).
    """

    class Purpose(models.TextChoices):
        ENROLLMENT = "enrollment", _("拟纳入保障")
        EXIT = "exit", _("拟终止特困供养")

    class Outcome(models.TextChoices):
        PENDING = "", _("待决定")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("不予批准")

    reference = models.CharField(
        _("公示编号"), max_length=12, unique=True, default=notice_reference, editable=False
    )
    village = models.ForeignKey(
        "applicants.Region",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("公示村居"),
    )

    application = models.ForeignKey(
        "applicants.Application",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
    )
    household = models.ForeignKey(
        "applicants.Household",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
    )
    purpose = models.CharField(
        _("公示事项"), max_length=12, choices=Purpose.choices, default=Purpose.ENROLLMENT
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closes_on = models.DateField(_("公示截止"))
    masked_name = models.CharField(_("公示姓名"), max_length=50)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    category = models.CharField(_("类别"), max_length=40)
    monthly_amount = models.DecimalField(
        _("月保障金（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_early = models.BooleanField(default=False)
    outcome = models.CharField(
        _("审批结果"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        indexes = [
            models.Index(fields=["closes_on"], name="notice_closes_on"),
            models.Index(fields=["outcome", "decided_on"], name="notice_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.masked_name} {self.closes_on}"


@pghistory.track()
class Objection(models.Model):
    """An objection (异议) to a notice, filed online by anyone (name and phone optional) or at
    the window; it reopens the household survey and is answered in writing within the limit.
    The objector follows it by its reference (受理号)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上提出")
        WINDOW = "window", _("窗口登记")

    reference = models.CharField(
        _("受理号"), max_length=12, unique=True, default=objection_reference, editable=False
    )
    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    channel = models.CharField(
        _("渠道"), max_length=10, choices=Channel.choices, default=Channel.WINDOW
    )
    text = models.TextField(_("异议内容"))
    objector_name = models.CharField(_("异议人姓名"), max_length=50, blank=True)
    objector_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answer_due_on = models.DateField(_("答复时限"), null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        constraints = [
            # an answer is given once, with its time and author, or not at all
            models.CheckConstraint(
                condition=(
                    models.Q(answer="", answered_at__isnull=True, answered_by__isnull=True)
                    | (
                        ~models.Q(answer="")
                        & models.Q(answered_at__isnull=False, answered_by__isnull=False)
                    )
                ),
                name="objection_answer_complete",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class TrailArchive(models.Model):
    """One archive file of audit-trail rows past the retention period (审计记录归档清单).

    The archive job writes the rows of one table whose time falls in ``[since, until)`` to a
    compressed JSON-lines file, reads it back to verify it, then records it here. It never
    edits a trail row; the next run starts at the latest ``until`` of that table.
    """

    table = models.CharField(_("数据表"), max_length=63)
    since = models.DateTimeField(_("起始时间"), null=True, blank=True)
    until = models.DateTimeField(_("截止时间"))
    rows = models.PositiveIntegerField(_("行数"))
    first_pk = models.BigIntegerField(null=True, blank=True)
    last_pk = models.BigIntegerField(null=True, blank=True)
    path = models.CharField(_("归档文件"), max_length=500)
    sha256 = models.CharField(_("校验值"), max_length=64)
    size = models.BigIntegerField(_("文件大小"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["table", "until"]
        verbose_name = _("审计记录归档")
        verbose_name_plural = _("审计记录归档")
        constraints = [
            # Two archivers racing for the same period: the second one's manifest row fails.
            models.UniqueConstraint(fields=["table", "until"], name="one_archive_per_period")
        ]
        # The manifest is the proof of what left the live tables: append-only like them.
        triggers = [
            pgtrigger.Protect(
                name="archives_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.table} <{self.until:%Y-%m-%d} ({self.rows})"


class DishonestyRecord(models.Model):
    """失信记录 (SPEC §9): fraud established against a household — what was obtained without
    entitlement, and the fine of 1 to 3 times it. Written once by whoever established it
    (payments records a fraud receivable through ``integrity.services.dishonesty_record``);
    never edited (trigger), so the credit export reads what was decided."""

    household = models.ForeignKey(
        "applicants.Household", on_delete=models.PROTECT, related_name="dishonesty_records"
    )
    person = models.ForeignKey(
        "applicants.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("失信事由"))
    amount_obtained = models.DecimalField(_("骗取金额（元）"), max_digits=14, decimal_places=2)
    fine_multiple = models.DecimalField(_("罚款倍数"), max_digits=3, decimal_places=1)
    fine_amount = models.DecimalField(_("罚款（元）"), max_digits=14, decimal_places=2)
    source = models.CharField(_("来源"), max_length=60, help_text=_("如 payments.Receivable:12"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("失信记录")
        verbose_name_plural = _("失信记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_obtained__gt=0)
                & models.Q(fine_multiple__gte=1)
                & models.Q(fine_multiple__lte=3),
                name="dishonesty_fine_one_to_three_times",
            ),
            models.UniqueConstraint(fields=["source"], name="one_dishonesty_record_per_source"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.amount_obtained}"


# A resolution (status, note, who) is the supervisor's act: its before → after is kept. A re-run
# refreshing the evidence of an open finding is not (the run is in AnomalyRun).
@pghistory.track(
    pghistory.UpdateEvent(
        condition=pghistory.AnyChange(exclude=["evidence", "last_found_at", "amount"])
    )
)
class AnomalyFinding(models.Model):
    """A fund anomaly (资金异常线索) found by a check of ``integrity.checks``: a task for the
    city supervisor (SPEC §9: paid after death, enrolled twice, staff relatives, amounts off the
    rules; issue 11: accounts shared by unrelated households).

    One row per check and subject, whatever runs twice: a check that finds it again refreshes
    the evidence of an open finding and its ``last_found_at``; a finding that no longer holds
    stays as it was (history), its ``last_found_at`` older than the check's last run. The
    evidence holds ids, months, amounts and masked accounts — never a name, an ID number or a
    birth date: pages resolve the ids through the masking module for each reader.
    """

    class Check(models.TextChoices):
        PAID_AFTER_DEATH = "paid_after_death", _("死亡后仍发放")
        ENROLLED_TWICE = "enrolled_twice", _("重复享受保障")
        RELATIVE_WITHOUT_VISIT = "relative_without_visit", _("近亲属未经县级入户核查")
        AMOUNT_OFF_RULES = "amount_off_rules", _("金额与测算结果不符")
        SHARED_ACCOUNT = "shared_account", _("多户共用银行账户")

    class Status(models.TextChoices):
        OPEN = "open", _("待核查")
        CONFIRMED = "confirmed", _("已查实")
        DISMISSED = "dismissed", _("已排除")

    kind = models.CharField(_("检查项目"), max_length=30, choices=Check.choices)
    #: what the finding is about, e.g. ``person:12``, ``enrollment:7``, ``account:<md5>``
    subject = models.CharField(_("核查对象"), max_length=80)
    region = models.ForeignKey(
        "applicants.Region",
        verbose_name=_("所属区市"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        "applicants.Household",
        verbose_name=_("家庭"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    evidence = models.JSONField(_("证据"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    first_found_at = models.DateTimeField(_("首次发现"), db_default=Now())
    last_found_at = models.DateTimeField(_("最近一次发现"), db_default=Now())
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    note = models.TextField(_("处理意见"), blank=True)

    class Meta:
        ordering = ["-last_found_at", "-id"]
        verbose_name = _("资金异常线索")
        verbose_name_plural = _("资金异常线索")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"], name="one_finding_per_subject"),
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(note=""),
                name="resolved_finding_has_note",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind", "region"], name="finding_list"),
            models.Index(fields=["region", "status"], name="finding_region"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"


class AnomalyRun(models.Model):
    """One run of one anomaly check (检查运行记录): when, how many findings held, how many
    were new. A finding whose ``last_found_at`` is older than its check's last run no longer
    holds."""

    kind = models.CharField(_("检查项目"), max_length=30, choices=AnomalyFinding.Check.choices)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), auto_now_add=True)
    found = models.PositiveIntegerField(_("发现"))
    new = models.PositiveIntegerField(_("新增"))

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("异常检查运行")
        verbose_name_plural = _("异常检查运行")
        indexes = [models.Index(fields=["kind", "-finished_at"], name="anomaly_run_latest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.finished_at:%Y-%m-%d %H:%M}"


class DishonestyRemoval(models.Model):
    """The removal of a dishonesty record (失信记录移除) by a county approver, with reasons.

    The record itself is never edited: a removal is a row of its own, written once (one per
    record), so the register always shows what was recorded, when it stopped counting and why.
    """

    record = models.OneToOneField(
        DishonestyRecord, on_delete=models.PROTECT, related_name="removal"
    )
    reasons = models.TextField(_("移除理由"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(_("移除时间"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        ordering = ["-removed_at"]
        verbose_name = _("失信记录移除")
        verbose_name_plural = _("失信记录移除")
        triggers = [
            pgtrigger.Protect(
                name="removals_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.removed_at:%Y-%m-%d}"


class RefusedAttempt(models.Model):
    """An attempt the platform refused and keeps as evidence (拒绝操作记录, issue 11): an edit
    of an audit row, an objection to an expired notice or to a notice that does not exist, a
    complaint without content, a removal of a dishonesty record by someone not allowed."""

    class Kind(models.TextChoices):
        AUDIT_EDIT = "audit_edit", _("试图修改或删除审计记录")
        NOTICE_EXPIRED = "notice_expired", _("对已结束的公示提出异议")
        NOTICE_FORGED = "notice_forged", _("公示编号不存在或被伪造")
        COMPLAINT_EMPTY = "complaint_empty", _("投诉举报无内容")
        DISHONESTY_REMOVAL = "dishonesty_removal", _("无权移除失信记录")
        SQL_EDIT = "sql_edit", _("在数据库中试图修改或删除审计记录")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("用户"),
    )
    channel = models.CharField(_("渠道"), max_length=10)  # "page" | "api" | "admin"
    target = models.CharField(_("对象"), max_length=120, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    #: for ``sql_edit``: the database's count of refused edits this record brings up to (the
    #: refusals themselves roll back with their transaction; the count does not)
    counter = models.BigIntegerField(_("累计次数"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["counter"],
                condition=models.Q(kind="sql_edit"),
                name="one_record_per_sql_edit_count",
            )
        ]
        verbose_name = _("拒绝操作记录")
        verbose_name_plural = _("拒绝操作记录")
        triggers = [
            pgtrigger.Protect(
                name="refused_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


@pghistory.track()
class Complaint(models.Model):
    """A complaint or tip (投诉举报) about how staff handle assistance (SPEC §9 supervision):
    from a citizen (anonymous allowed) or a member of staff; assigned by the supervisor and
    answered in writing within the limit; followed by its reference."""

    class Kind(models.TextChoices):
        INACTION = "inaction", _("不作为")
        PRETENSE = "pretense", _("假作为")
        MISCONDUCT = "misconduct", _("乱作为")
        SLOWNESS = "slowness", _("慢作为")
        EMBEZZLEMENT = "embezzlement", _("截留挪用、优亲厚友")

    class Source(models.TextChoices):
        CITIZEN = "citizen", _("群众实名")
        ANONYMOUS = "anonymous", _("群众匿名")
        STAFF = "staff", _("工作人员")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        ASSIGNED = "assigned", _("办理中")
        ANSWERED = "answered", _("已答复")

    reference = models.CharField(
        _("受理号"), max_length=12, unique=True, default=complaint_reference, editable=False
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    content = models.TextField(_("投诉举报内容"))
    subject = models.CharField(_("被投诉单位或人员"), max_length=100, blank=True)
    region = models.ForeignKey(
        "applicants.Region",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("所涉区域"),
    )
    complainant_name = models.CharField(_("投诉人姓名"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    filed_at = models.DateTimeField(_("受理时间"), auto_now_add=True, db_index=True)
    answer_due_on = models.DateField(_("答复时限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("承办人"),
    )
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        constraints = [
            models.CheckConstraint(condition=~models.Q(content=""), name="complaint_has_content"),
            models.CheckConstraint(
                condition=~models.Q(status="answered")
                | (~models.Q(answer="") & models.Q(answered_at__isnull=False)),
                name="complaint_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
