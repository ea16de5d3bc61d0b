"""The documents a case produces, to print and sign or send as PDF (文书, issue 13).

受理通知书, 补正告知书, 入户调查表, 公示表, 决定书 / 不予批准告知书 and 终止/渐退告知书 are built
from the case's recorded facts only (nothing is retyped): the township or county that issues
it, a document number derived from the case (the same each time it is printed) and the date of
the step it records. One :class:`Letter` feeds both the A4 page and the PDF, so the two never
differ. The PDF uses ReportLab's built-in CJK CID font (STSong-Light): the reader supplies the
glyphs, the server needs no font file.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants import masking
from applicants.idnumber import mask_id_number, mask_name
from applicants.models import Application, ApplicationState, Person, TimeLimit, time_limit

from .labels import RESULT_LABELS
from .models import Decision, Review

#: 行政复议法 (2023) Art 20 and 行政诉讼法 Art 46: statutory periods, the same everywhere — law,
#: not a local policy number, so they are stated here with their source rather than as data
RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6

KINDS = {
    "acceptance": gettext_lazy("受理通知书"),
    "correction": gettext_lazy("补正告知书"),
    "survey": gettext_lazy("入户调查表"),
    "notice": gettext_lazy("公示表"),
    "decision": gettext_lazy("决定书"),
    "exit": gettext_lazy("终止/渐退告知书"),
}
#: the short mark of each kind inside the document number (张村镇救受〔2026〕000123号)
NUMBER_MARKS = {
    "acceptance": "救受",
    "correction": "救补",
    "survey": "救调",
    "notice": "救公",
    "decision": "救决",
    "exit": "救终",
}


class LetterUnavailable(Exception):
    """The case has not reached the step this document records (the page answers 404)."""


@dataclass
class Letter:
    kind: str
    title: str
    number: str
    date: dt.date
    issuer: str
    recipient: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    table: list[tuple[str, str]] = field(default_factory=list)
    grid_head: list[str] = field(default_factory=list)
    grid: list[list[str]] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.number_ascii}.pdf"

    @property
    def number_ascii(self) -> str:
        return "".join(c for c in self.number if c.isascii() and c.isalnum())


def _issuer_township(application: Application) -> str:
    township = application.village.parent
    suffix = _("办事处") if township.name.endswith("街道") else _("人民政府")
    return f"{township.name}{suffix}"


def _county(application: Application):
    return application.village.parent.parent


def _issuer_county(application: Application) -> str:
    return f"{_county(application).name}{_('民政局')}"


def _number(application: Application, kind: str, on: dt.date) -> str:
    return (
        f"{application.village.parent.name}{NUMBER_MARKS[kind]}〔{on.year}〕{application.pk:06d}号"
    )


def _local(moment) -> dt.date:
    return timezone.localtime(moment).date()


def _applicant(application: Application) -> Person | None:
    if not application.household_id:
        return None
    return next((p for p in application.household.members.all() if p.relation == "applicant"), None)


#: what a masked reader reads where a letter quotes what they may not see (SPEC §1)
HIDDEN = "—"


def _category(code: str, *, unmasked: bool = True) -> str:
    """A category's label; for a masked reader the published one (单人保 and the disability
    allowances name a member's illness or disability)."""
    return str(RESULT_LABELS.get(code, code)) if unmasked else _public_category(code)


def _public_category(code: str) -> str:
    """The label a public notice shows: of the published category (SPEC §9: a notice never
    discloses illness or disability)."""
    published = masking.public_category(code)
    return str(
        RESULT_LABELS.get(published) or masking.PUBLIC_CATEGORY_LABELS.get(published) or published
    )


def _last_step_date(application: Application, action: str) -> dt.date | None:
    step = application.transitions.filter(action=action).order_by("-at").first()
    return _local(step.at) if step else None


def letter_kinds(application: Application) -> list[tuple[str, str]]:
    """The documents this case can produce now, as (kind, title)."""
    found = []
    for kind in KINDS:
        try:
            found.append((kind, letter_build(application, kind, unmasked=True).title))
        except LetterUnavailable:
            continue
    return found


def letter_build(application: Application, kind: str, *, unmasked: bool) -> Letter:
    """The document ``kind`` of ``application`` from its recorded facts, or LetterUnavailable.

    ``unmasked`` false (the supervisor): the letter as ``applicants.masking`` lets a masked
    reader see it — name and ID masked, the township without the village, the published
    category, and none of what staff wrote (findings, reasons, missing papers), the rules'
    reasons, incomes, assets or health facts."""
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise LetterUnavailable(kind)
    applicant = _applicant(application)
    name = applicant.name if applicant else ""
    ctx = {
        "name": name if unmasked else mask_name(name),
        "id_number": (applicant.id_number if unmasked else mask_id_number(applicant.id_number))
        if applicant
        else "",
        "category": _category(application.requested, unmasked=unmasked),
        "unmasked": unmasked,
    }
    return builder(application, ctx)


def _acceptance(application: Application, ctx) -> Letter:
    if not application.accepted_at:
        raise LetterUnavailable("acceptance")
    on = _local(application.accepted_at)
    submitted = _local(application.submitted_at) if application.submitted_at else on
    days = time_limit(TimeLimit.Code.INVESTIGATION_DAYS, on)
    return Letter(
        kind="acceptance",
        title=str(KINDS["acceptance"]),
        number=_number(application, "acceptance", on),
        date=on,
        issuer=_issuer_township(application),
        recipient=ctx["name"],
        paragraphs=[
            _(
                "你（户）于%(submitted)s提出的%(category)s申请，经审查材料齐全、符合受理条件，"
                "本机关已于%(accepted)s予以受理。"
            )
            % {
                "submitted": f"{submitted:%Y年%m月%d日}",
                "category": ctx["category"],
                "accepted": f"{on:%Y年%m月%d日}",
            },
            _(
                "我们将在%(days)d个工作日内开始调查核实，并在你（户）授权下进行家庭经济状况核对。"
                "请保持电话畅通，配合入户调查。"
            )
            % {"days": days},
            _("本申请应于%(d)s前办结；办理进度可在网上查询，或拨打12349咨询。")
            % {"d": f"{application.case_due_on:%Y年%m月%d日}" if application.case_due_on else "—"},
        ],
        table=[
            (_("申请人"), ctx["name"]),
            (_("身份证号码"), ctx["id_number"]),
            (_("申请类别"), ctx["category"]),
            (
                _("所在村居"),
                f"{application.village.parent.name} {application.village.name}"
                if ctx["unmasked"]
                else application.village.parent.name,
            ),
        ],
    )


def _correction(application: Application, ctx) -> Letter:
    items = list(application.missing_items or [])
    if not items:
        raise LetterUnavailable("correction")
    if not ctx["unmasked"]:  # the papers asked for tell the household's illness or situation
        items = [HIDDEN] * len(items)
    on = _last_step_date(application, "return_for_materials") or timezone.localdate()
    return Letter(
        kind="correction",
        title=str(KINDS["correction"]),
        number=_number(application, "correction", on),
        date=on,
        issuer=_issuer_township(application),
        recipient=ctx["name"],
        paragraphs=[
            _(
                "你（户）提出的%(category)s申请，经审查，申请材料尚不齐全。现一次性告知需补正的"
                "全部材料如下，请补齐后重新提交（可网上提交或到镇街便民服务窗口提交）："
            )
            % {"category": ctx["category"]},
        ],
        items=items,
    )


def _survey(application: Application, ctx) -> Letter:
    """入户调查表: the household as filed, the survey as recorded (blank lines before it)."""
    if not application.accepted_at or not application.household_id:
        raise LetterUnavailable("survey")
    survey = application.surveys.order_by("-visited_on", "-id").first()
    on = survey.visited_on if survey else timezone.localdate()
    unmasked = ctx["unmasked"]
    members = sorted(application.household.members.all(), key=lambda p: p.pk)
    grid = [
        [
            p.name if unmasked else mask_name(p.name),
            str(p.get_relation_display()),
            p.id_number if unmasked else mask_id_number(p.id_number),
            str(p.monthly_income) if unmasked else "—",
            str(p.get_labour_capacity_display()) if unmasked else HIDDEN,
        ]
        for p in members
    ]
    data = application.data or {}
    assets = data.get("assets") or {}
    return Letter(
        kind="survey",
        title=str(KINDS["survey"]),
        number=_number(application, "survey", on),
        date=on,
        issuer=_issuer_township(application),
        recipient=ctx["name"],
        table=[
            (_("申请类别"), ctx["category"]),
            (_("住址"), (application.household.address or "—") if unmasked else "—"),
            (_("申报金融资产（元）"), str(assets.get("financial") or "0") if unmasked else HIDDEN),
            (_("申报住房（套）"), str(assets.get("houses") or "0") if unmasked else HIDDEN),
            (_("申报车辆"), str(assets.get("vehicles") or "0") if unmasked else HIDDEN),
            (_("入户日期"), f"{on:%Y-%m-%d}" if survey else ""),
            (
                _("调查情况"),
                (masking.free_text(survey.findings, unmasked=unmasked) or HIDDEN) if survey else "",
            ),
        ],
        grid_head=[_("姓名"), _("与申请人关系"), _("身份证号码"), _("月收入（元）"), _("劳动能力")],
        grid=grid,
        signatures=[
            _("调查人员（签字）：%(names)s") % {"names": "、".join(survey.staff) if survey else ""},
            _("申请人（签字）："),
        ],
    )


def _notice(application: Application, ctx) -> Letter:
    """公示表: never the ID number, address, illness or disability (SPEC §9); the name masked
    and the category published under a name that tells no disability (单人保 as 低保)."""
    notice = application.notices.order_by("-opened_at").first()
    if notice is None:
        raise LetterUnavailable("notice")
    on = _local(notice.opened_at)
    amount = f"{notice.monthly_amount}" if notice.monthly_amount is not None else "—"
    return Letter(
        kind="notice",
        title=str(KINDS["notice"]),
        number=_number(application, "notice", on),
        date=on,
        issuer=_issuer_township(application),
        recipient="",
        paragraphs=[
            _(
                "根据《最低生活保障审核确认办法》，现将拟纳入社会救助的家庭情况公示如下。公示期"
                "自%(start)s至%(end)s。如有异议，请在公示期内向%(issuer)s反映，或拨打12349。"
            )
            % {
                "start": f"{on:%Y年%m月%d日}",
                "end": f"{notice.closes_on:%Y年%m月%d日}",
                "issuer": _issuer_township(application),
            },
        ],
        grid_head=[_("村居"), _("户主"), _("家庭人口"), _("救助类别"), _("月保障金（元）")],
        grid=[
            [
                application.village.name,
                notice.masked_name,
                str(notice.household_size),
                _public_category(notice.category),
                amount,
            ]
        ],
    )


def _appeal(application: Application) -> str:
    county = _county(application).name
    return _(
        "如对本决定不服，可以自收到本决定书之日起%(days)d日内向%(county)s人民政府申请行政复议，"
        "或者在%(months)d个月内依法向人民法院提起行政诉讼。"
    ) % {"days": RECONSIDERATION_DAYS, "county": county, "months": LITIGATION_MONTHS}


def _decision(application: Application, ctx) -> Letter:
    """决定书 (approved) or 不予批准告知书 (rejected): the reasons, the rules' reasons read back,
    and the right to administrative reconsideration or litigation."""
    decision = (
        Decision.objects.filter(application=application)
        .select_related("assessment")
        .order_by("-decided_at")
        .first()
    )
    if decision is None:
        raise LetterUnavailable("decision")
    on = _local(decision.decided_at)
    approved = decision.outcome == Decision.Outcome.APPROVED
    rule_reasons = []
    for r in (decision.assessment.result or {}).get("results", []):
        if r.get("policy") == application.requested and ctx["unmasked"]:
            # they quote each member's age, income and health
            rule_reasons.extend(r.get("reasons") or [])
    paragraphs = []
    table = [
        (_("申请人"), ctx["name"]),
        (_("身份证号码"), ctx["id_number"]),
        (_("申请类别"), ctx["category"]),
    ]
    if approved:
        enrollments = list(decision.enrollments.select_related("person").order_by("id"))
        paragraphs.append(
            _("你（户）申请的%(category)s，经审核确认，决定予以批准。")
            % {"category": ctx["category"]}
        )
        for e in enrollments:
            table.append(
                (
                    _category(e.policy_code, unmasked=ctx["unmasked"]),
                    _("每月 %(amount)s 元，自%(start)s起发放")
                    % {"amount": e.monthly_amount, "start": f"{e.start_month:%Y年%m月}"},
                )
            )
        title = str(KINDS["decision"])
    else:
        paragraphs.append(
            _("你（户）申请的%(category)s，经审核，决定不予批准。") % {"category": ctx["category"]}
        )
        title = _("不予批准告知书")
    reasons = masking.free_text(decision.reasons, unmasked=ctx["unmasked"]) or HIDDEN
    paragraphs.append(_("理由：%(reasons)s") % {"reasons": reasons})
    items = [str(r) for r in rule_reasons]
    if items:
        paragraphs.append(_("家庭经济状况核算情况："))
    paragraphs_after = [_appeal(application)]
    return Letter(
        kind="decision",
        title=title,
        number=_number(application, "decision", on),
        date=on,
        issuer=_issuer_county(application),
        recipient=ctx["name"],
        paragraphs=paragraphs,
        items=items,
        table=table,
        signatures=paragraphs_after,
    )


def _exit(application: Application, ctx) -> Letter:
    """终止/渐退告知书: the case terminated, or the household's enrollment stopped or exiting
    gradually after a review (with the months of the exit)."""
    household_id = application.household_id
    review = None
    if household_id and application.state in (ApplicationState.ENROLLED, ApplicationState.APPROVED):
        review = (
            Review.objects.filter(
                household_id=household_id,
                status=Review.Status.CLOSED,
                outcome__in=[Review.Outcome.STOP, Review.Outcome.GRADUAL_EXIT],
            )
            .order_by("-closed_at")
            .first()
        )
    if application.state == ApplicationState.TERMINATED:
        on = _last_step_date(application, "terminate") or timezone.localdate()
        step = application.transitions.filter(action="terminate").order_by("-at").first()
        reasons = step.reason if step else ""
        body = [_("你（户）的%(category)s申请，决定终止办理。") % {"category": ctx["category"]}]
    elif review is not None:
        on = _local(review.closed_at) if review.closed_at else timezone.localdate()
        reasons = review.reasons
        month = f"{review.effective_month:%Y年%m月}" if review.effective_month else "—"
        if review.outcome == Review.Outcome.GRADUAL_EXIT:
            body = [
                _(
                    "经复核，你（户）家庭情况已发生变化，不再符合%(category)s条件。按照渐退政策，"
                    "自%(month)s起继续发放%(n)s个月后停止发放。"
                )
                % {"category": ctx["category"], "month": month, "n": review.exit_months or "—"}
            ]
        else:
            body = [
                _("经复核，你（户）不再符合%(category)s条件，自%(month)s起停止发放。")
                % {"category": ctx["category"], "month": month}
            ]
    else:
        raise LetterUnavailable("exit")
    return Letter(
        kind="exit",
        title=str(KINDS["exit"]),
        number=_number(application, "exit", on),
        date=on,
        issuer=_issuer_county(application),
        recipient=ctx["name"],
        paragraphs=[
            *body,
            _("理由：%(reasons)s")
            % {"reasons": masking.free_text(reasons, unmasked=ctx["unmasked"]) or HIDDEN},
        ],
        signatures=[_appeal(application)],
    )


_BUILDERS = {
    "acceptance": _acceptance,
    "correction": _correction,
    "survey": _survey,
    "notice": _notice,
    "decision": _decision,
    "exit": _exit,
}


# --- PDF ------------------------------------------------------------------------------------

CJK_FONT = "STSong-Light"
_font_ready = False


def _register_font() -> None:
    global _font_ready
    if not _font_ready:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _font_ready = True


def _markup(text: str) -> str:
    """Text as ReportLab paragraph markup: its three special characters escaped."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def letter_pdf(letter: Letter) -> bytes:
    """The letter on A4 as PDF, Chinese text in the CID font (extractable, searchable)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    base = ParagraphStyle("base", fontName=CJK_FONT, fontSize=12, leading=20, wordWrap="CJK")
    body = ParagraphStyle("body", parent=base, firstLineIndent=24)
    title = ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER)
    number = ParagraphStyle("number", parent=base, fontSize=11, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    cell = ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15)

    def p(text, style=body):
        return Paragraph(_markup(text), style)

    story = [
        p(letter.issuer, title),
        p(letter.title, title),
        p(letter.number, number),
        Spacer(1, 6 * mm),
    ]
    if letter.recipient:
        story.append(p(f"{letter.recipient}：", base))
    story += [p(text) for text in letter.paragraphs]
    story += [p(f"{i}. {text}") for i, text in enumerate(letter.items, start=1)]
    grid_style = TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    )
    if letter.table:
        story.append(Spacer(1, 3 * mm))
        rows = [[p(k, cell), p(v, cell)] for k, v in letter.table]
        story.append(Table(rows, colWidths=[45 * mm, 120 * mm], style=grid_style))
    if letter.grid:
        story.append(Spacer(1, 3 * mm))
        rows = [[p(h, cell) for h in letter.grid_head]]
        rows += [[p(v, cell) for v in row] for row in letter.grid]
        story.append(Table(rows, style=grid_style, repeatRows=1))
    story.append(Spacer(1, 4 * mm))
    story += [p(text) for text in letter.signatures]
    story += [Spacer(1, 10 * mm), p(letter.issuer, right), p(f"{letter.date:%Y年%m月%d日}", right)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=letter.title,
        author=letter.issuer,
    )
    doc.build(story)
    return out.getvalue()
