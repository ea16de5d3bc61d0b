"""Money out (SPEC §8): payroll batches, their lines, bank files, receivables.

A line is money for one enrollment (or one 临时救助 grant) and one month. Every "only once" is
a unique constraint: one regular line per enrollment and month, one back-pay line per batch,
enrollment and month, one reissue per failed line, one line per grant. Lines are written only
by ``payments.services`` (set-based, under the county's payroll lock); amounts come from the
enrollment ledger (``eligibility.selectors.amounts_due``), never recomputed here.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from applicants.choices import ChoiceLabels

MONEY = {"max_digits": 14, "decimal_places": 2}


@pghistory.track()
class Batch(ChoiceLabels, models.Model):
    """A payroll batch (发放批次) of one county: the month's payroll, or a one-off batch of
    临时救助 paid between payrolls."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("月度发放")
        ONE_OFF = "one_off", _("临时救助发放")

    class State(models.TextChoices):
        GENERATING = "generating", _("生成中")
        DRAFT = "draft", _("待审批")
        APPROVED = "approved", _("已审批")
        EXPORTED = "exported", _("已导出银行文件")
        RECONCILED = "reconciled", _("已对账")

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", "UTF-8"
        GBK = "gbk", "GBK"

    county = models.ForeignKey(
        "applicants.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区市")
    )
    month = models.DateField(_("发放月份"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.GENERATING
    )
    chunks_total = models.PositiveIntegerField(_("分批总数"), default=0)
    chunks_done = models.PositiveIntegerField(_("已完成批数"), default=0)
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_amount = models.DecimalField(_("发放总额（元）"), default=0, **MONEY)
    held_count = models.PositiveIntegerField(_("暂缓笔数"), default=0)
    encoding = models.CharField(
        _("银行文件编码"), max_length=6, choices=Encoding.choices, default=Encoding.UTF8
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("生成人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导出人"),
    )
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("对账时间"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month"],
                condition=Q(kind="monthly"),
                name="one_monthly_batch_per_county",
            ),
            # four eyes: whoever generated a batch does not approve it
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="batch_four_eyes",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="batch_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.month:%Y-%m} {self.get_kind_display()}"

    @property
    def progress_percent(self) -> int:
        return 100 if not self.chunks_total else round(100 * self.chunks_done / self.chunks_total)


class BatchChunk(models.Model):
    """A range of enrollment ids generated in one transaction: a worker killed half-way leaves
    its chunk as it was, and the chunk is done again (its lines are unique)."""

    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("发放批次")
    )
    first_id = models.BigIntegerField(_("起始编号"))
    #: exclusive; null: open-ended (the last chunk takes enrollments made after the plan)
    end_id = models.BigIntegerField(_("截止编号（不含）"), null=True)
    done = models.BooleanField(_("已完成"), default=False)
    lines = models.PositiveIntegerField(_("笔数"), default=0)

    class Meta:
        verbose_name = _("生成分批")
        verbose_name_plural = _("生成分批")
        ordering = ["batch", "first_id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "first_id"], name="one_chunk_per_range")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.first_id}-{self.end_id or ''}"


class BankFile(models.Model):
    """The file sent to one bank for one batch, and the return file it answered with."""

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="bank_files", verbose_name=_("发放批次")
    )
    bank_name = models.CharField(_("开户银行"), max_length=60)
    line_count = models.PositiveIntegerField(_("笔数"))
    total_amount = models.DecimalField(_("金额合计（元）"), **MONEY)
    sha256 = models.CharField(_("文件校验值（SHA-256）"), max_length=64, blank=True)
    written_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("回盘导入时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回盘导入人"),
    )
    return_sha256 = models.CharField(_("回盘文件校验值（SHA-256）"), max_length=64, blank=True)
    paid_count = models.PositiveIntegerField(_("成功笔数"), default=0)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0)

    class Meta:
        ordering = ["batch", "bank_name"]
        verbose_name = _("银行文件")
        verbose_name_plural = _("银行文件")
        constraints = [
            models.UniqueConstraint(fields=["batch", "bank_name"], name="one_file_per_bank"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.bank_name}"

    def lines(self):
        """The lines this file pays: the batch's lines to this bank that were exported (a line
        keeps its bank from generation; held and fully offset lines are never exported)."""
        return Line.objects.filter(
            batch_id=self.batch_id, bank_name=self.bank_name, status__in=Line.EXPORTED
        )


# Lines are inserted a million at a time by payroll: their insert is the batch's (who ordered it,
# when); a bank's answer is the return file's (kept, with who imported it, on its bank file);
# every other change — a hand edit of an amount or an account — is an event here.
@pghistory.track(
    pghistory.UpdateEvent(
        condition=pghistory.AnyChange(exclude=["status", "failure", "failure_note", "paid_at"])
    )
)
class Line(ChoiceLabels, models.Model):
    """One payment (发放明细): ``due_amount`` from the ledger, less what is withheld towards a
    receivable, is ``amount`` — what the bank transfers."""

    #: statuses of a line that went to the bank
    EXPORTED = ("pending", "paid", "failed")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("按月发放")
        BACKPAY = "backpay", _("补发")
        REISSUE = "reissue", _("重发")
        TEMPORARY = "temporary", _("临时救助")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发放")
        HELD = "held", _("暂缓发放")
        PAID = "paid", _("已发放")
        FAILED = "failed", _("发放失败")
        OFFSET = "offset", _("全额抵扣")

    class Hold(models.TextChoices):
        NOT_POSITIVE = "not_positive", _("金额为零或负数")
        NO_ACCOUNT = "no_account", _("无银行账户")
        DECEASED = "deceased", _("领取人已死亡")

    class Failure(models.TextChoices):
        WRONG_ACCOUNT = "wrong_account", _("账号有误")
        CLOSED_ACCOUNT = "closed_account", _("账户已销户")
        NAME_MISMATCH = "name_mismatch", _("户名不符")
        OTHER = "other", _("其他")

    # Indexes are chosen, not one per key: a million lines are inserted and reconciled at once,
    # and every index is written for each of them (see Meta.indexes).
    batch = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        verbose_name=_("发放批次"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    enrollment = models.ForeignKey(
        "eligibility.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_lines",
        db_index=False,
        verbose_name=_("在保记录"),
    )
    grant = models.ForeignKey(
        "eligibility.TemporaryGrant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_lines",
        db_index=False,
        verbose_name=_("临时救助"),
    )
    # Household, payee and township are copies for grouping and display; the integrity that
    # matters (which enrollment or grant, which batch) is enforced by the two keys above.
    household = models.ForeignKey(
        "applicants.Household",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("家庭"),
    )
    payee = models.ForeignKey(
        "applicants.Person",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="payment_lines",
        verbose_name=_("领取成员"),
    )
    township = models.ForeignKey(
        "applicants.Region",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("镇街"),
    )
    category = models.CharField(_("类别"), max_length=40)
    month = models.DateField(_("所属月份"))
    due_amount = models.DecimalField(_("应发金额（元）"), **MONEY)
    withheld = models.DecimalField(_("抵扣追缴（元）"), default=0, **MONEY)
    amount = models.DecimalField(_("实发金额（元）"), **MONEY)
    receivable = models.ForeignKey(
        "Receivable",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offsets",
        db_index=False,
        verbose_name=_("追缴"),
    )
    payee_name = models.CharField(_("领取人"), max_length=50, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices)
    hold_reason = models.CharField(_("暂缓原因"), max_length=14, choices=Hold.choices, blank=True)
    failure = models.CharField(_("失败原因"), max_length=16, choices=Failure.choices, blank=True)
    failure_note = models.CharField(_("银行说明"), max_length=100, blank=True)
    reissue_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissues",
        db_index=False,
        verbose_name=_("补发自"),
    )
    created_at = models.DateTimeField(_("创建时间"), db_default=Now())
    paid_at = models.DateTimeField(_("到账时间"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        indexes = [
            models.Index(fields=["enrollment", "month"], name="line_enrollment_month"),
            models.Index(fields=["batch", "bank_name"], name="line_batch_bank"),
            models.Index(fields=["grant"], condition=Q(grant__isnull=False), name="line_grant"),
            models.Index(
                fields=["receivable"], condition=Q(receivable__isnull=False), name="line_receivable"
            ),
            models.Index(fields=["household", "month"], name="line_household_month"),
            # No index reads ``status``: a bank's answer then rewrites a million lines in place
            # (HOT, see the fillfactor in the migration) instead of writing every index again.
            # A failure and a hold are found by these two, whose columns do not change when a
            # line is paid.
            models.Index(fields=["batch"], condition=~Q(failure=""), name="line_failed"),
            models.Index(fields=["batch"], condition=~Q(hold_reason=""), name="line_held"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "month"],
                condition=Q(kind="regular"),
                name="one_regular_line_per_enrollment_month",
            ),
            models.UniqueConstraint(
                fields=["batch", "enrollment", "month"],
                condition=Q(kind="backpay"),
                name="one_backpay_line_per_batch_month",
            ),
            models.UniqueConstraint(
                fields=["grant"], condition=Q(kind="temporary"), name="one_line_per_grant"
            ),
            models.UniqueConstraint(
                fields=["reissue_of"],
                condition=Q(reissue_of__isnull=False),
                name="one_reissue_per_line",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("due_amount") - F("withheld"))
                & Q(withheld__gte=0)
                & (Q(status="held") | Q(amount__gte=0)),
                name="line_amount_is_due_less_withheld",
            ),
            models.CheckConstraint(
                condition=(Q(kind="temporary") & Q(grant__isnull=False))
                | (Q(kind__in=["regular", "backpay"]) & Q(enrollment__isnull=False))
                | (Q(kind="reissue") & Q(reissue_of__isnull=False)),
                name="line_kind_has_its_source",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | ~Q(hold_reason=""), name="held_line_has_reason"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="line_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.month:%Y-%m} {self.amount}"


#: failed and held lines, as the two partial indexes on lines find them
OUTSTANDING = (Q(status="failed") & ~Q(failure="")) | (Q(status="held") & ~Q(hold_reason=""))


@pghistory.track()
class Receivable(models.Model):
    """Money to recover (追缴): paid for months the household turned out not to be due it,
    itemised per month, offset against later payments or repaid; for fraud with the fine."""

    class Reason(models.TextChoices):
        RETROACTIVE = "retroactive", _("待遇追溯调整多发")
        REVIEW = "review", _("复核发现不应享受")
        FRAUD = "fraud", _("骗取保障金")

    class Schedule(models.TextChoices):
        OFFSET = "offset", _("从后续待遇中抵扣")
        REPAY = "repay", _("责令退回")

    class Status(models.TextChoices):
        OPEN = "open", _("追缴中")
        SETTLED = "settled", _("已结清")

    household = models.ForeignKey(
        "applicants.Household",
        on_delete=models.PROTECT,
        related_name="receivables",
        verbose_name=_("家庭"),
    )
    enrollment = models.ForeignKey(
        "eligibility.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivables",
        verbose_name=_("在保记录"),
    )
    reason = models.CharField(_("原因"), max_length=12, choices=Reason.choices)
    schedule = models.CharField(_("追缴方式"), max_length=8, choices=Schedule.choices)
    installment = models.DecimalField(
        _("每月抵扣上限（元）"), null=True, blank=True, help_text=_("为空：全额抵扣"), **MONEY
    )
    total = models.DecimalField(_("追缴总额（元）"), **MONEY)
    balance = models.DecimalField(_("未追回（元）"), **MONEY)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    fine_multiple = models.DecimalField(
        _("罚款倍数"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    fine_amount = models.DecimalField(_("罚款（元）"), null=True, blank=True, **MONEY)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    batch = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivables",
        verbose_name=_("发放批次"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("追缴")
        verbose_name_plural = _("追缴")
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gt=0) & Q(balance__gte=0) & Q(balance__lte=F("total")),
                name="receivable_balance_within_total",
            ),
            models.CheckConstraint(
                condition=Q(installment__isnull=True) | Q(installment__gt=0),
                name="receivable_installment_positive",
            ),
            # SPEC §9: fraud is fined 1 to 3 times the amount obtained
            models.CheckConstraint(
                condition=(
                    Q(reason="fraud")
                    & Q(fine_multiple__gte=1)
                    & Q(fine_multiple__lte=3)
                    & Q(fine_amount=F("total") * F("fine_multiple"))
                )
                | (
                    ~Q(reason="fraud") & Q(fine_multiple__isnull=True) & Q(fine_amount__isnull=True)
                ),
                name="fraud_fine_one_to_three_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.total}"


class ReceivableItem(models.Model):
    """One month of a receivable: how much was paid that month beyond what was due."""

    receivable = models.ForeignKey(
        Receivable, on_delete=models.PROTECT, related_name="items", verbose_name=_("追缴")
    )
    enrollment = models.ForeignKey(
        "eligibility.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("在保记录"),
    )
    month = models.DateField(_("所属月份"))
    amount = models.DecimalField(_("多发金额（元）"), **MONEY)
    batch = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivable_items",
        verbose_name=_("发放批次"),
    )

    class Meta:
        verbose_name = _("追缴明细")
        verbose_name_plural = _("追缴明细")
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receivable_item_positive"),
            models.UniqueConstraint(
                fields=["batch", "enrollment", "month"],
                condition=Q(batch__isnull=False),
                name="one_receivable_item_per_batch_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"


@pghistory.track()
class Repayment(models.Model):
    """Money returned by the household towards a receivable (退回)."""

    receivable = models.ForeignKey(
        Receivable, on_delete=models.PROTECT, related_name="repayments", verbose_name=_("追缴")
    )
    amount = models.DecimalField(_("退回金额（元）"), **MONEY)
    paid_on = models.DateField(_("退回日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("退回记录")
        verbose_name_plural = _("退回记录")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"
