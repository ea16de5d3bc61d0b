"""Who asks: the region tree, users with their role and scope, households and their members."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applicants.choices import ChoiceLabels


class Area(models.TextChoices):
    URBAN = "urban", _("城市")
    RURAL = "rural", _("农村")


@pghistory.track()
class Region(ChoiceLabels, models.Model):
    """A node of the city → county → township → village tree (SPEC §2).

    ``path`` is the chain of codes from the city down (``371000/371002/371002001/``), so
    "inside this region" is one indexed prefix match.
    """

    class Level(models.TextChoices):
        CITY = "city", _("市")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("镇街")
        VILLAGE = "village", _("村居")

    code = models.CharField(_("代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    area = models.CharField(_("城乡"), max_length=5, choices=Area.choices, blank=True)
    path = models.CharField(_("区划路径"), max_length=80, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        indexes = [
            models.Index(
                fields=["path"], name="region_path_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(level="village") | Q(area__in=["urban", "rural"]),
                name="village_has_area",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]

    @property
    def county_code(self) -> str | None:
        codes = self.ancestor_codes()
        return codes[1] if len(codes) > 1 else None


class Role(models.TextChoices):
    """SPEC §1 role codes."""

    CITIZEN = "citizen", _("申请人")
    VILLAGE_ASSISTANT = "village_assistant", _("村居民政协理员")
    CASEWORKER = "caseworker", _("镇街经办人")
    APPROVER = "approver", _("县级审批人")
    SUPERVISOR = "supervisor", _("市级督导")
    DEPARTMENT = "department", _("部门经办人")
    ORGANIZATION = "organization", _("社会组织")
    ADMIN = "admin", _("管理员")


#: roles whose scope is a region of the tree, and the level of that region
REGIONAL_ROLES = {
    Role.VILLAGE_ASSISTANT: Region.Level.VILLAGE,
    Role.CASEWORKER: Region.Level.TOWNSHIP,
    Role.APPROVER: Region.Level.COUNTY,
    Role.SUPERVISOR: Region.Level.CITY,
}


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who logs in, with one role and the region (or department) that scopes it."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    region = models.ForeignKey(
        Region, verbose_name=_("管辖区域"), on_delete=models.PROTECT, null=True, blank=True
    )
    department_code = models.CharField(_("所属部门代码"), max_length=40, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=list(REGIONAL_ROLES)) | Q(region__isnull=False),
                name="regional_role_has_region",
            )
        ]

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


def region_scope(user, *, path_field: str, citizen_q=None) -> Q | None:
    """The one rule of who sees what (SPEC §1), as a filter on ``path_field``.

    ``citizen_q(user)`` says what a citizen sees (their own household). Returns ``None`` for
    "everything" (administrators) and ``Q(pk__in=[])`` for nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin_role:
        return None
    if user.role == Role.CITIZEN and citizen_q is not None:
        return citizen_q(user)
    if user.role in REGIONAL_ROLES and user.region_id:
        if path_field.endswith("village__path"):
            # The villages of the region as a list of ids: an indexed ``village_id IN (…)``
            # the planner sees through, where a join on the path prefix made it read every
            # household to find a township's (issue 15). Same rows: a village is in the region
            # exactly when its path starts with the region's.
            village_field = path_field.removesuffix("__path")
            return Q(**{f"{village_field}__in": scope_village_ids(user)})
        return Q(**{f"{path_field}__startswith": user.region.path})
    return Q(pk__in=[])


def scope_village_ids(user) -> list[int]:
    """Ids of the villages inside the user's region: remembered on the user object for the rest
    of the request, and in the shared cache for every request of the region's staff (a query
    and its compilation on each list and page, issue 15) until a region is saved or deleted
    (``forget_scope_villages``), ``SCOPE_VILLAGES_SECONDS`` at most."""
    cached = getattr(user, "_scope_village_ids", None)
    if cached is None or cached[0] != user.region_id:
        key = _scope_villages_key(user.region_id)
        ids = cache.get(key)
        if ids is None:
            ids = list(
                Region.objects.filter(
                    level=Region.Level.VILLAGE, path__startswith=user.region.path
                ).values_list("pk", flat=True)
            )
            cache.set(key, ids, settings.SCOPE_VILLAGES_SECONDS)
        cached = (user.region_id, ids)
        user._scope_village_ids = cached
    return cached[1]


def _scope_villages_key(region_id: int) -> str:
    return f"scope-villages:{region_id}"


def forget_scope_villages(**kwargs) -> None:
    """A region was saved or deleted (a village added, moved or removed): every region's
    remembered list of villages is dropped, so the next request reads the tree again. Regions
    change a few times a year; the lists are a few dozen keys."""

    def forget() -> None:
        regions = Region.objects.exclude(level=Region.Level.VILLAGE).values_list("pk", flat=True)
        cache.delete_many([_scope_villages_key(pk) for pk in regions])

    forget()
    # and again once committed: a request between the two read the tree before the change
    transaction.on_commit(forget)


def own_household_ids(user):
    """Ids of the household a citizen belongs to, as a subquery (no join, no duplicates)."""
    return Person.objects.filter(user=user).values("household_id")


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see."""

    scope_path_field: str = ""

    def citizen_q(self, user) -> Q | None:
        return None

    def for_user(self, user):
        q = region_scope(user, path_field=self.scope_path_field, citizen_q=self.citizen_q)
        return self if q is None else self.filter(q)


class HouseholdQuerySet(ScopedQuerySet):
    scope_path_field = "village__path"

    def citizen_q(self, user):
        return Q(pk__in=own_household_ids(user))


@pghistory.track()
class Household(models.Model):
    """A household (家庭): the unit that applies and is assessed; lives in one village."""

    village = models.ForeignKey(
        Region,
        verbose_name=_("所在村居"),
        on_delete=models.PROTECT,
        limit_choices_to={"level": Region.Level.VILLAGE},
        related_name="households",
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    #: found at the home survey (入户调查); SPEC §6 reviews such households every 6 months
    #: (``TimeLimit`` review_months_unstable) instead of yearly
    income_unstable = models.BooleanField(
        _("收入不稳定（需每6个月复核）"), default=False, db_default=False
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        ordering = ["-id"]
        indexes = [
            # a village's households newest first, as its list pages them (issue 15): a village
            # assistant's page 100 walked the whole table backwards by id to find its 2,500
            models.Index(fields=["village", "-id"], name="household_village_newest"),
        ]

    def __str__(self) -> str:
        return f"{_('家庭')} #{self.pk}"

    @property
    def area(self) -> str:
        return self.village.area


class PersonQuerySet(ScopedQuerySet):
    scope_path_field = "household__village__path"

    def citizen_q(self, user):
        return Q(household_id__in=own_household_ids(user))


@pghistory.track()
class Person(ChoiceLabels, models.Model):
    """A member of a household (家庭成员), one record per ID number."""

    class Relation(models.TextChoices):
        APPLICANT = "applicant", _("申请人")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        GRANDPARENT = "grandparent", _("祖父母")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class DisabilityType(models.TextChoices):
        PHYSICAL = "physical", _("肢体")
        VISUAL = "visual", _("视力")
        HEARING = "hearing", _("听力")
        SPEECH = "speech", _("言语")
        INTELLECTUAL = "intellectual", _("智力")
        MENTAL = "mental", _("精神")
        MULTIPLE = "multiple", _("多重")

    class SelfCare(models.TextChoices):
        FULL = "full", _("全自理")
        PARTIAL = "partial", _("半护理")
        NONE = "none", _("全护理")

    class LabourCapacity(models.TextChoices):
        FULL = "full", _("有劳动能力")
        PARTIAL = "partial", _("部分丧失劳动能力")
        NONE = "none", _("无劳动能力")

    class ParentSituation(models.TextChoices):
        """A parent's situation, declared for a child (孤儿、事实无人抚养儿童, SPEC §5)."""

        DEAD = "dead", _("死亡")
        MISSING = "missing", _("宣告失踪")
        SEVERE_DISABILITY = "severe_disability", _("重度残疾（一、二级）")
        SERIOUS_ILLNESS = "serious_illness", _("重病")
        IMPRISONED = "imprisoned", _("服刑在押")
        DRUG_REHABILITATION = "drug_rehabilitation", _("强制隔离戒毒")
        DEPRIVED_OF_LIBERTY = "deprived_of_liberty", _("被采取其他限制人身自由措施")
        LOST_CONTACT = "lost_contact", _("失联满6个月")

    class CareArrangement(models.TextChoices):
        INSTITUTIONAL = "institutional", _("机构集中养育")
        DISPERSED = "dispersed", _("社会散居")

    class Status(models.TextChoices):
        LIVING = "living", _("共同生活")
        DECEASED = "deceased", _("已死亡")
        MOVED_OUT = "moved_out", _("已迁出")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("家庭")
    )
    relation = models.CharField(_("与申请人关系"), max_length=12, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    disability_type = models.CharField(
        _("残疾类别"), max_length=12, choices=DisabilityType.choices, blank=True
    )
    serious_illness = models.BooleanField(_("患重特大疾病"), default=False)
    self_care = models.CharField(
        _("自理能力"), max_length=8, choices=SelfCare.choices, default=SelfCare.FULL
    )
    labour_capacity = models.CharField(
        _("劳动能力"), max_length=8, choices=LabourCapacity.choices, default=LabourCapacity.FULL
    )
    in_school = models.BooleanField(_("在校就读"), default=False)
    #: for a child: the father's and mother's situation (0–2 codes of ParentSituation)
    parent_situations = models.JSONField(_("父母情况"), default=list, blank=True)
    care_arrangement = models.CharField(
        _("孤儿供养方式"), max_length=14, choices=CareArrangement.choices, blank=True
    )
    monthly_income = models.DecimalField(
        _("月收入（元）"), max_digits=12, decimal_places=2, default=0
    )
    status = models.CharField(
        _("成员状态"), max_length=10, choices=Status.choices, default=Status.LIVING
    )
    status_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    status_reason = models.CharField(_("状态变更原因"), max_length=200, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = models.CharField(_("社保卡银行账号"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("网上账号"),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]
        indexes = [
            # the inbox's search (issue 13): a name is searched by its start (姓 or 姓名), an
            # ID tail as a prefix of the reversed number (index person_id_tail, created in SQL
            # by migration person_search_indexes: Django cannot spell an expression's opclass)
            models.Index(
                fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="applicant"),
                name="one_applicant_per_household",
            ),
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="income_not_negative"),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="disability_grade_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationState(models.TextChoices):
    """SPEC §6 workflow states."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    VERIFYING = "verifying", _("核对调查中")
    SURVEYED = "surveyed", _("已入户调查")
    PROPOSED = "proposed", _("已提出审核意见")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")
    ENROLLED = "enrolled", _("已纳入保障")
    RETURNED = "returned", _("退回补正")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")


OPEN_STATES = [
    ApplicationState.SUBMITTED,
    ApplicationState.ACCEPTED,
    ApplicationState.VERIFYING,
    ApplicationState.SURVEYED,
    ApplicationState.PROPOSED,
    ApplicationState.PUBLIC_NOTICE,
    ApplicationState.RETURNED,
]
#: the same as plain codes (an index condition in a migration)
OPEN_STATE_CODES = [str(state.value) for state in OPEN_STATES]


class DueFor(models.TextChoices):
    """What ``Application.due_on`` is the limit for (SPEC §6), shown beside the date."""

    ACCEPT = "accept", _("受理")
    VERIFY = "verify", _("启动调查")
    VERIFICATION = "verification", _("核对反馈")
    SURVEY = "survey", _("入户调查")
    DECISION = "decision", _("审批决定")


class ApplicationQuerySet(ScopedQuerySet):
    scope_path_field = "village__path"

    def citizen_q(self, user):
        # the household's id as a value, not a subquery inside an OR: two index probes
        # (created_by, household) instead of a filter run on every application (issue 15)
        return Q(created_by=user) | Q(
            household_id__in=list(own_household_ids(user).values_list("household_id", flat=True))
        )


class Application(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    """An application for assistance (救助申请) by one household; moves only through services."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        WINDOW = "window", _("窗口受理")
        PROXY = "proxy", _("代办")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="applications", null=True, blank=True
    )
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("所在村居"),
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    requested = models.CharField(_("申请类别"), max_length=40, default="dibao")
    state = FSMField(
        _("状态"),
        default=ApplicationState.DRAFT,
        choices=ApplicationState.choices,
        protected=True,
        db_index=True,
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    data = models.JSONField(_("申请内容"), default=dict, blank=True)
    special = models.BooleanField(_("特殊情况（45个工作日）"), default=False)
    close_relative = models.BooleanField(_("近亲属备案"), default=False)
    county_visit_done = models.BooleanField(_("县级已入户核查"), default=False)
    missing_items = models.JSONField(_("需补正材料"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    notice_closes_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the next time limit and what it is for; set by the services at each step (SPEC §6)
    due_on = models.DateField(_("办理时限"), null=True, blank=True, db_index=True)
    due_for = models.CharField(_("时限事项"), max_length=40, blank=True, choices=DueFor.choices)
    case_due_on = models.DateField(_("办结时限"), null=True, blank=True)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["village", "state", "due_on"],
                name="application_inbox",
            ),
            # the list's parts in their order (issue 15, eligibility.selectors.
            # application_segments): open cases by time limit (the overdue read first), and
            # the few closed ones that kept a time limit. The open cases' index carries the
            # scope's column and the case time limit, so that the inbox's page ids are read
            # from the index alone: a city's page 100 (5,000 overdue entries) was a bitmap
            # scan of 40,000 rows and a sort, 68 ms, twice (the bounded count, then the page)
            models.Index(
                fields=["due_on", "-id"],
                name="application_open_due",
                condition=Q(state__in=OPEN_STATE_CODES),
                include=["village", "case_due_on"],
            ),
            models.Index(
                fields=["due_on", "-id"],
                name="application_closed_due",
                condition=~Q(state__in=OPEN_STATE_CODES) & Q(due_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('申请')} #{self.pk}"

    # Transitions carry no side effects: services validate, record and notify around them.
    @transition(
        state,
        source=[ApplicationState.DRAFT, ApplicationState.RETURNED],
        target=ApplicationState.SUBMITTED,
    )
    def submit(self):
        pass

    @transition(state, source=[ApplicationState.SUBMITTED], target=ApplicationState.ACCEPTED)
    def accept(self):
        pass

    @transition(
        state,
        source=[ApplicationState.SUBMITTED, ApplicationState.ACCEPTED],
        target=ApplicationState.RETURNED,
    )
    def return_for_materials(self):
        pass

    @transition(state, source=[ApplicationState.ACCEPTED], target=ApplicationState.VERIFYING)
    def verify(self):
        pass

    @transition(state, source=[ApplicationState.VERIFYING], target=ApplicationState.SURVEYED)
    def survey(self):
        pass

    @transition(state, source=[ApplicationState.SURVEYED], target=ApplicationState.PROPOSED)
    def propose(self):
        pass

    @transition(state, source=[ApplicationState.PROPOSED], target=ApplicationState.PUBLIC_NOTICE)
    def open_notice(self):
        pass

    @transition(state, source=[ApplicationState.PUBLIC_NOTICE], target=ApplicationState.VERIFYING)
    def reopen_survey(self):
        pass

    @transition(state, source=[ApplicationState.PUBLIC_NOTICE], target=ApplicationState.APPROVED)
    def approve(self):
        pass

    @transition(state, source=[ApplicationState.PUBLIC_NOTICE], target=ApplicationState.REJECTED)
    def reject(self):
        pass

    @transition(state, source=[ApplicationState.APPROVED], target=ApplicationState.ENROLLED)
    def enroll(self):
        pass

    @transition(
        state, source=[ApplicationState.DRAFT, *OPEN_STATES], target=ApplicationState.WITHDRAWN
    )
    def withdraw(self):
        pass

    @transition(state, source=OPEN_STATES, target=ApplicationState.TERMINATED)
    def terminate(self):
        pass


class ApplicationTransition(models.Model):
    """Insert-only record of each step of an application: who, when, from where, why."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="transitions"
    )
    action = models.CharField(max_length=30)
    source = models.CharField(max_length=20, choices=ApplicationState.choices)
    target = models.CharField(max_length=20, choices=ApplicationState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        # the audit search reads the newest steps first (a backward scan of this index; a
        # sort of every step of the city took 1.3 s at 1,670,000 steps)
        indexes = [models.Index(fields=["at", "id"], name="transition_at_order")]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        triggers = [
            pgtrigger.Protect(
                name="transitions_insert_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.source}→{self.target}"


class Document(models.Model):
    """A file attached to an application; stored outside the web root, served in scope only."""

    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("身份证")
        HOUSEHOLD_REGISTER = "household_register", _("户口簿")
        INCOME = "income", _("收入证明")
        MEDICAL = "medical", _("医疗费用票据")
        DISABILITY = "disability", _("残疾证")
        OTHER = "other", _("其他材料")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="documents/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Notification(models.Model):
    """An in-app message to a user (站内消息); SMS goes through the configured backend."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    #: SMS copy, sent by a Celery task after the transaction that wrote this row commits
    sms_phone = models.CharField(max_length=20, blank=True)
    sms_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message[:40]


class WorkdayOverride(models.Model):
    """An administrator's correction of the holiday calendar (调休 the library does not know)."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_workday else '休息日'}"


class HolidayCalendarYear(models.Model):
    """A year whose State Council holiday notice (国务院办公厅节假日安排) an administrator loaded
    into ``WorkdayOverride`` rows with ``load_holidays``: beyond the years chinese-calendar ships,
    only these years count as known, so a deadline reaching an unloaded year raises a warning."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("来源文件"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已导入节假日年度")
        verbose_name_plural = _("已导入节假日年度")

    def __str__(self) -> str:
        return str(self.year)


class TimeLimit(models.Model):
    """A number of the procedure (办理时限 and the like), data with an effective date.

    Defaults are MZ-2021's and SPEC §6's, loaded by a data migration; a change is a new row.
    """

    class Code(models.TextChoices):
        INVESTIGATION_DAYS = "investigation_days", _("受理后开始调查（工作日）")
        DATA_VERIFICATION_DAYS = "data_verification_days", _("经济状况核对反馈（工作日）")
        NOTICE_DAYS = "notice_days", _("村（居）公示（日）")
        DECISION_DAYS = "decision_days", _("县级审批（公示结束后工作日）")
        CASE_DAYS = "case_days", _("办结（工作日）")
        CASE_DAYS_SPECIAL = "case_days_special", _("特殊情况办结（工作日）")
        SURVEY_MIN_STAFF = "survey_min_staff", _("入户调查最少人数")
        REVIEW_MONTHS_STABLE = "review_months_stable", _("定期复核间隔·收入稳定（月）")
        REVIEW_MONTHS_UNSTABLE = "review_months_unstable", _("定期复核间隔·有劳动年龄成员（月）")
        REVIEW_LOOKAHEAD_DAYS = "review_lookahead_days", _("复核提前列入办件箱（日）")
        DEATH_REVIEW_DAYS = "death_review_days", _("死亡后复核时限（日）")
        CHANGE_REVIEW_DAYS = "change_review_days", _("情况变化后复核时限（日）")
        EXIT_MONTHS_MAX = "exit_months_max", _("渐退期上限（月）")
        TEKUN_EXIT_NOTICE_DAYS = "tekun_exit_notice_days", _("终止特困供养公示（日）")
        ADVANCE_FILE_DAYS = "advance_file_days", _("先行救助后补齐材料（工作日）")
        OBJECTION_ANSWER_DAYS = "objection_answer_days", _("公示异议书面答复（工作日）")
        COMPLAINT_ANSWER_DAYS = "complaint_answer_days", _("投诉举报答复（工作日）")
        ACCEPTANCE_DAYS = "acceptance_days", _("提交后受理（工作日）")

    code = models.CharField(_("事项"), max_length=40, choices=Code.choices)
    value = models.PositiveIntegerField(_("数值"))
    effective_from = models.DateField(_("执行日期"))
    note = models.CharField(_("依据"), max_length=100, blank=True)

    class Meta:
        ordering = ["code", "-effective_from"]
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="one_limit_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.value} ({self.effective_from})"


def time_limit(code: str, on=None) -> int:
    """The value of a procedural number in force on ``on`` (today by default)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    row = (
        TimeLimit.objects.filter(code=code, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("value", flat=True)
        .first()
    )
    if row is None:
        raise LookupError(f"no time limit {code} in force on {on}")
    return row
