"""Household economic verification (家庭经济状况核对, SPEC §7): the data sources and the items
they answer, the requests sent to them under the household's authorization, what came back,
and the report a caseworker confirms.

Sources and items are data: adding a bank is a ``DataSource`` row with its adapter and
configuration, not code.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applicants.choices import ChoiceLabels


class DataItem(models.Model):
    """One of the 96 data items (核对项目) a source may answer: a deposit, a house, a pension.

    ``counts_as`` says which figure of the asset and income rules the item adds to; items that
    only describe (户籍, marriage, death) count as nothing.
    """

    class CountsAs(models.TextChoices):
        FINANCIAL = "financial", _("金融资产（元）")
        HOUSES = "houses", _("住房（套）")
        VEHICLES = "vehicles", _("机动车（辆）")
        BUSINESS = "business", _("经营主体")
        INCOME = "income", _("月收入（元）")
        NONE = "none", _("仅作核对信息")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    counts_as = models.CharField(_("计入"), max_length=10, choices=CountsAs.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        app_label = "eligibility"
        ordering = ["order", "code"]
        verbose_name = _("核对项目")
        verbose_name_plural = _("核对项目")

    def __str__(self) -> str:
        return self.name


class DataSource(models.Model):
    """A bank, insurer, the provident fund centre, or a department or unit that answers
    verification requests (核对数据来源), with its adapter, configuration and health."""

    class Kind(models.TextChoices):
        BANK = "bank", _("银行")
        INSURER = "insurer", _("保险公司")
        PROVIDENT_FUND = "provident_fund", _("住房公积金中心")
        DEPARTMENT = "department", _("部门")
        UNIT = "unit", _("单位")

    class Adapter(models.TextChoices):
        FILE = "file", _("批量文件交换")
        HTTP = "http", _("HTTP JSON（DCI 社会登记查询）")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        "eligibility.Department",
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_sources",
    )
    items = models.ManyToManyField(DataItem, verbose_name=_("提供项目"), related_name="sources")
    adapter = models.CharField(_("接入方式"), max_length=8, choices=Adapter.choices)
    #: file: {"format": "csv"|"json"}; http: {"url": "...", "timeout": 5}. Both may carry
    #: "simulated": true (the demo answers for the source from SourceRecord rows) and
    #: "answer_seconds" (how long the platform waits for an answer before re-asking).
    config = models.JSONField(_("接入配置"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    last_answer_at = models.DateTimeField(_("最近应答"), null=True, blank=True)
    answered_count = models.PositiveIntegerField(_("应答次数"), default=0)
    failed_count = models.PositiveIntegerField(_("未应答次数"), default=0)

    class Meta:
        app_label = "eligibility"
        ordering = ["kind", "code"]
        verbose_name = _("核对数据来源")
        verbose_name_plural = _("核对数据来源")

    def __str__(self) -> str:
        return self.name

    @property
    def failure_rate(self) -> float | None:
        total = self.answered_count + self.failed_count
        return None if total == 0 else self.failed_count / total


class SourceRecord(models.Model):
    """A record held by a simulated source (demo and tests): what the source would answer for
    an ID number. Real sources keep their own data; these rows stand in for them."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="records")
    id_number = models.CharField(max_length=18, db_index=True)
    item = models.ForeignKey(DataItem, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=40, blank=True)

    class Meta:
        app_label = "eligibility"
        verbose_name = _("模拟来源记录")
        verbose_name_plural = _("模拟来源记录")

    def __str__(self) -> str:
        return f"{self.source_id} {self.item_id} {self.value}"


class VerificationRequest(ChoiceLabels, models.Model):
    """One verification of a household (核对请求), sent to every active source at once."""

    class Purpose(models.TextChoices):
        APPLICATION = "application", _("申请核对")
        REVIEW = "review", _("复核核对")
        DISPUTE = "dispute", _("异议复查")

    class Status(models.TextChoices):
        RUNNING = "running", _("核对中")
        DONE = "done", _("已出报告")

    household = models.ForeignKey(
        "applicants.Household", on_delete=models.PROTECT, related_name="verification_requests"
    )
    application = models.ForeignKey(
        "applicants.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verification_requests",
    )
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    #: the ID numbers asked about, frozen at the request (members may change later)
    persons = models.JSONField(default=list)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        app_label = "eligibility"
        ordering = ["-created_at", "-id"]
        verbose_name = _("核对请求")
        verbose_name_plural = _("核对请求")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class SourceQuery(models.Model):
    """The part of a request sent to one source. ``no_answer`` (未应答) is never "nothing
    found": the report lists such sources apart."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送，待应答")
        ANSWERED = "answered", _("已应答")
        NO_ANSWER = "no_answer", _("未应答")

    request = models.ForeignKey(
        VerificationRequest, on_delete=models.CASCADE, related_name="queries"
    )
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="queries")
    transaction_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("数据来源查询")
        verbose_name_plural = _("数据来源查询")
        app_label = "eligibility"
        ordering = ["request", "source"]
        constraints = [
            models.UniqueConstraint(fields=["request", "source"], name="one_query_per_source")
        ]
        indexes = [
            models.Index(
                fields=["source"], name="query_open", condition=Q(status__in=["pending", "sent"])
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.source_id} {self.status}"


class Finding(models.Model):
    """One value a source answered for one member and item (核对发现)."""

    request = models.ForeignKey(
        VerificationRequest, on_delete=models.CASCADE, related_name="findings"
    )
    query = models.ForeignKey(SourceQuery, on_delete=models.CASCADE, related_name="findings")
    person = models.ForeignKey("applicants.Person", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(DataItem, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("核对发现")
        verbose_name_plural = _("核对发现")
        app_label = "eligibility"
        ordering = ["person", "item", "query"]
        constraints = [
            # an answer delivered twice (a retried task, a repeated callback) adds nothing
            models.UniqueConstraint(
                fields=["query", "person", "item", "reference"], name="one_finding_per_answer_row"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="finding_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.item_id} {self.value}"


class ResultFile(models.Model):
    """A result file a source put in the inbox: kept, with every rejected row and why."""

    query = models.ForeignKey(
        SourceQuery, on_delete=models.PROTECT, null=True, blank=True, related_name="files"
    )
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="files")
    path = models.CharField(_("文件"), max_length=300, unique=True)
    encoding = models.CharField(_("编码"), max_length=12)
    rows_total = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    #: [{"line": 3, "reason": "…", "row": "…"}]
    rejected = models.JSONField(_("拒收行"), default=list, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "eligibility"
        ordering = ["-loaded_at"]
        verbose_name = _("核对结果文件")
        verbose_name_plural = _("核对结果文件")

    def __str__(self) -> str:
        return self.path

    @property
    def name(self) -> str:
        """The file's name, without the server's directories."""
        return self.path.rsplit("/", 1)[-1]


class VerificationReport(models.Model):
    """The report of a request (核对报告): per member and item what was found and where, totals
    against the asset rules, declared beside found, discrepancies, sources that did not answer.
    Built once the last source has answered or timed out; ``body`` is frozen JSON."""

    request = models.OneToOneField(
        VerificationRequest, on_delete=models.PROTECT, related_name="report"
    )
    body = models.JSONField()
    has_discrepancies = models.BooleanField(_("存在差异"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    #: the citizen disputes the summary (申请复查): a new request re-checks it
    disputed_at = models.DateTimeField(null=True, blank=True)
    dispute_text = models.TextField(blank=True)

    class Meta:
        app_label = "eligibility"
        ordering = ["-created_at"]
        verbose_name = _("核对报告")
        verbose_name_plural = _("核对报告")

    def __str__(self) -> str:
        return f"#{self.request_id}"


class BulkVerification(models.Model):
    """A re-verification of every active beneficiary at once (年度复核核对, SPEC §7): the
    sources' result files are loaded (COPY) into a staging table, matched to members by ID
    number in SQL and summarised per household; findings that change eligibility open a
    review."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")

    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    stage = models.CharField(_("阶段"), max_length=20, default="requested")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    households_total = models.PositiveIntegerField(default=0)
    persons_total = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(default=0)
    files_loaded = models.PositiveIntegerField(default=0)
    rows_loaded = models.BigIntegerField(default=0)
    rows_rejected = models.BigIntegerField(default=0)
    #: {"reason": count}, and the first rejected rows with their file and line
    rejected_by_reason = models.JSONField(default=dict, blank=True)
    rejected_sample = models.JSONField(default=list, blank=True)
    households_flagged = models.PositiveIntegerField(default=0)
    reviews_opened = models.PositiveIntegerField(default=0)
    seconds = models.JSONField(_("各阶段耗时"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "eligibility"
        ordering = ["-created_at"]
        verbose_name = _("批量复核核对")
        verbose_name_plural = _("批量复核核对")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class BulkVerificationResult(models.Model):
    """One household's totals in a bulk re-verification, against its frozen facts."""

    run = models.ForeignKey(BulkVerification, on_delete=models.CASCADE, related_name="results")
    household = models.ForeignKey(
        "applicants.Household", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    financial = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    houses = models.IntegerField(default=0)
    vehicles = models.IntegerField(default=0)
    business = models.BooleanField(default=False)
    income = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    financial_limit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    #: the assets found fail the asset rules (a review is opened)
    flagged = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("批量核对结果")
        verbose_name_plural = _("批量核对结果")
        app_label = "eligibility"
        constraints = [
            models.UniqueConstraint(fields=["run", "household"], name="one_result_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.household_id}"


# Named for the OpenAPI schema (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]): these
# status sets share the field name "status" with the workflow's.
VerificationRequestStatus = VerificationRequest.Status
SourceQueryStatus = SourceQuery.Status
#: the same set as a re-evaluation's (进行中 / 已完成): one enum for both runs
RunStatus = BulkVerification.Status
