from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from applicants import portal
from applicants import views as applicant_views
from eligibility import case_views, inbox_views, letter_views
from eligibility import views as eligibility_views
from eligibility.verification import views as verification_views
from payments import views as payment_views

from . import anomalies, health, hub_views, login_views, views
from .api.anomalies import AnomalyFindingViewSet
from .api.auth import LogoutAllView, LogoutView, TokenView
from .dashboard import api as dashboard_api
from .dashboard import views as dashboard_views
from .oversight import views as oversight

anomaly_router = SimpleRouter()
anomaly_router.register("anomaly-findings", AnomalyFindingViewSet, basename="anomaly-finding")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("", include("applicants.api.urls")),
    path("", include("eligibility.api.urls")),
    path("", include("payments.api")),
    path("dashboard/", dashboard_api.DashboardView.as_view(), name="api-dashboard"),
    path(
        "dashboard/charts/<slug:code>/",
        dashboard_api.DashboardChartView.as_view(),
        name="api-dashboard-chart",
    ),
    path(
        "dashboard/households/",
        dashboard_api.DashboardHouseholdsView.as_view(),
        name="api-dashboard-households",
    ),
    path("", include(anomaly_router.urls)),
    path("", include("weijiuni.api.urls")),
    path("", include("weijiuni.oversight.api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # browsers ask for /favicon.ico whatever the page links: answer, not a 404 in the console
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("accounts/login/", login_views.LoginView.as_view(), name="login"),
    path("accounts/login/otp/", login_views.login_otp, name="login_otp"),
    path("accounts/two-factor/", login_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path(
        "dashboard/export/<slug:code>.xlsx",
        dashboard_views.dashboard_export,
        name="dashboard_export",
    ),
    path(
        "dashboard/households/", dashboard_views.dashboard_households, name="dashboard_households"
    ),
    path("department/", hub_views.department_home, name="department_home"),
    path("selfcheck/", eligibility_views.selfcheck, name="selfcheck"),
    path("policies/", eligibility_views.policy_catalog, name="policies"),
    path("organization/", hub_views.organization_home, name="organization_home"),
    path("12349/", hub_views.hotline_page, name="hotline"),
    path("resources/", hub_views.resource_catalog, name="resources"),
    path("hub/staff/", hub_views.staff_records, name="staff_records"),
    path("households/<int:pk>/needs/", hub_views.household_needs, name="household_needs"),
    path("households/", applicant_views.household_list, name="households"),
    path("households/new/", applicant_views.household_register, name="household_register"),
    path("households/<int:pk>/", applicant_views.household_detail, name="household_detail"),
    path("my/", applicant_views.my_household, name="my_household"),
    path("apply/", portal.apply, name="apply"),
    path("apply/<int:pk>/", portal.apply, name="apply_continue"),
    path("applications/<int:pk>/", portal.application_status, name="application_status"),
    path("documents/<int:pk>/", portal.document_download, name="document_download"),
    path("cases/", inbox_views.case_inbox, name="case_inbox"),
    path("cases/bulk/", inbox_views.case_bulk, name="case_bulk"),
    path("cases/<int:pk>/letters/<slug:kind>/", letter_views.letter_page, name="letter_page"),
    path("cases/<int:pk>/letters/<slug:kind>.pdf", letter_views.letter_pdf, name="letter_pdf"),
    path("cases/export.xlsx", inbox_views.export_cases, name="export_cases"),
    path("oversight/overdue/export.xlsx", inbox_views.export_overdue, name="export_overdue"),
    path("households/export.xlsx", inbox_views.export_households, name="export_households"),
    path("enrollments/export.xlsx", inbox_views.export_enrollments, name="export_enrollments"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("oversight/overdue/", case_views.overdue_list, name="overdue"),
    path("oversight/anomalies/", anomalies.anomaly_list, name="anomalies"),
    path("oversight/anomalies/<int:pk>/", anomalies.anomaly_detail, name="anomaly_detail"),
    path("reevaluations/", case_views.reevaluation_list, name="reevaluations"),
    path("reviews/<int:pk>/", case_views.review_detail, name="review_detail"),
    path("households/<int:pk>/change/", case_views.report_change, name="report_change"),
    path("households/<int:pk>/member-remove/", case_views.member_remove, name="member_remove"),
    path(
        "households/<int:pk>/work-refusal/",
        case_views.record_work_refusal,
        name="record_work_refusal",
    ),
    path("verification/sources/", verification_views.source_health, name="verification_sources"),
    path(
        "verification/requests/<int:pk>/dispute/",
        verification_views.dispute,
        name="verification_dispute",
    ),
    path(
        "sim/dci/<slug:code>/search",
        verification_views.simulated_search,
        name="simulated_dci_search",
    ),
    path("reevaluations/<int:pk>/", case_views.reevaluation_detail, name="reevaluation_detail"),
    path("payroll/", payment_views.batch_list, name="payroll_batches"),
    path("payroll/<int:pk>/", payment_views.batch_detail, name="payroll_batch"),
    path("payroll/outstanding/", payment_views.outstanding, name="payroll_outstanding"),
    path("payroll/files/<int:pk>/", payment_views.bank_file_download, name="bank_file_download"),
    path("my/payments/", payment_views.my_payments, name="my_payments"),
    path(
        "households/<int:pk>/recovery/",
        payment_views.household_recovery,
        name="household_recovery",
    ),
    # integrity and oversight (SPEC §9): public notices without login, objections, complaints
    path("notices/", oversight.notice_list, name="notices"),
    path("notices/print/", oversight.notice_print, name="notice_print"),
    path("notices/<str:reference>/object/", oversight.objection_new, name="objection_new"),
    path("answers/", oversight.answer_lookup, name="answer_lookup"),
    path("complaints/new/", oversight.complaint_new, name="complaint_new"),
    path("oversight/objections/", oversight.objection_inbox, name="objection_inbox"),
    path("oversight/complaints/", oversight.complaint_inbox, name="complaint_inbox"),
    path("oversight/dishonesty/", oversight.dishonesty_list, name="dishonesty_list"),
    path(
        "oversight/dishonesty/credit-export.<slug:fmt>",
        oversight.credit_export,
        name="credit_export",
    ),
    path("oversight/audit/", oversight.audit_search, name="audit_search"),
    path("oversight/audit/export.xlsx", oversight.audit_export, name="audit_export"),
    # The admin's own login form knows no second factor: everyone logs in through ours.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "weijiuni.api.exceptions.not_found"
