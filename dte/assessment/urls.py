from django.urls import path

from . import views, views_chain as chain, views_sessions as sessions

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("declarations/", views.declarations, name="declarations"),
    path("declare/<int:certificate_pk>/", views.declare, name="declare"),
    path("declaration/<int:pk>/", views.declaration, name="declaration"),
    path("standards/", views.standards, name="standards"),
    path("standards/<int:occupation_pk>/<str:level>/", views.standard_edit, name="standard_edit"),
    path("training-reports/", views.training_reports, name="training_reports"),
    path("training-reports/<int:pk>/decide/", views.training_report_decide, name="training_report_decide"),
    path("sessions/", sessions.sessions, name="sessions"),
    path("session/<int:pk>/", sessions.session_detail, name="session"),
    path("session/<int:pk>/action/", sessions.session_action, name="session_action"),
    path("session/<int:pk>/scores.xlsx", sessions.score_sheet, name="score_sheet"),
    path("candidate/<int:pk>/", sessions.candidate_detail, name="candidate"),
    path("candidate/<int:pk>/ticket.pdf", sessions.ticket, name="ticket"),
    path("t/<str:token>/", sessions.ticket_scan, name="ticket_scan"),
    path("rates/", sessions.rates, name="rates"),
    path("reports/", chain.reports, name="reports"),
    path("report/<int:pk>/", chain.report_detail, name="report"),
]
