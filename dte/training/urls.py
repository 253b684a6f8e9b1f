from django.urls import path

from . import views, views_results as results

app_name = "training"

urlpatterns = [
    path("", views.classes, name="classes"),
    path("venues/", views.venues, name="venues"),
    path("class/<int:pk>/", views.class_detail, name="class"),
    path("class/<int:pk>/attendance/", results.attendance_sheet, name="sheet"),
    path("class/<int:pk>/completion/", results.completion, name="completion"),
    path("class/<int:pk>/certificates/", results.certificates, name="certificates"),
    path("class/<int:pk>/report/", results.report, name="report"),
    path("class/<int:pk>/report.xlsx", results.report_download, name="report_xlsx"),
    path("session/<int:pk>/", views.session_detail, name="session"),
    path("session/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("session/<int:pk>/qr/", views.session_qr, name="qr"),
    path("session/<int:pk>/qr.json", views.session_qr_json, name="qr_json"),
    path("session/<int:pk>/check-in/", results.checkin_page, name="checkin"),
    path("certificate/<int:pk>/pdf/", results.certificate_pdf, name="certificate_pdf"),
    path("certificate/<int:pk>/revoke/", results.certificate_revoke_view, name="certificate_revoke"),
    path("reports/", results.reports, name="reports"),
    path("my/", results.my_sessions, name="my"),
    path("verify/<str:number>/", results.verify, name="verify"),
]
