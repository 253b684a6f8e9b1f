from django.urls import path

from . import views, views_classes, views_plans, views_public

app_name = "registry"

urlpatterns = [
    # public site (no login for announcements and registration)
    path("public/announcements/", views_public.announcements, name="announcements"),
    path("public/register/", views_public.register, name="register"),
    path("public/registered/", views_public.registered, name="registered"),
    path("public/announcements/<int:pk>/enrol/", views_public.enrol, name="enrol"),
    path("me/", views_public.me, name="me"),
    path("me/invitations/<int:pk>/", views_public.invitation, name="invitation"),
    # plans, filings, review
    path("quotas/", views.quotas, name="quotas"),
    path("quotas/<int:pk>/", views.quota_edit, name="quota_edit"),
    path("filings/", views.filings, name="filings"),
    path("filings/new/", views.filing_new, name="filing_new"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("filings/<int:pk>/edit/", views_plans.filing_edit, name="filing_edit"),
    path("plans/", views_plans.plans, name="plans"),
    path("plans/new/", views_plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views_plans.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views_plans.plan_edit, name="plan_edit"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    # classes, announcements, rosters, imports
    path("classes/", views_classes.classes, name="classes"),
    path("classes/new/", views_classes.class_new, name="class_new"),
    path("classes/<int:pk>/", views_classes.class_detail, name="class"),
    path("classes/<int:pk>/announcement/", views_classes.announcement_new, name="announcement_new"),
    path("announcements/<int:pk>/publish/", views_classes.announcement_publish_view, name="announcement_publish"),
    path("enrolments/", views_classes.enrolments, name="enrolments"),
    path("imports/template.xlsx", views_classes.import_template, name="import_template"),
    path("imports/new/", views_classes.import_new, name="import_new"),
    path("imports/<int:pk>/", views_classes.import_detail, name="import"),
    path("imports/<int:pk>/result/", views_classes.import_result, name="import_result"),
]
