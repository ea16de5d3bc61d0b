"""The hub's own tables: the supervisor dashboard's summaries (督导看板汇总表)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
