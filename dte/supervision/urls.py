from django.urls import path

from . import views, views_evaluations

app_name = "supervision"

urlpatterns = [
    path("public/complaint/", views.public_complaint, name="public_complaint"),
    path("public/track/", views.public_track, name="public_track"),
    path("monitor/", views.monitor, name="monitor"),
    path("notifications/", views.notifications, name="notifications"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/hotline/", views.hotline, name="hotline"),
    path("complaints/<int:pk>/", views.complaint, name="complaint"),
    path("draws/", views.draws, name="draws"),
    path("draws/<int:pk>/", views.draw, name="draw"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("signals/", views.signals, name="signals"),
    path("evaluations/", views_evaluations.evaluations, name="evaluations"),
    path("evaluations/<int:pk>/", views_evaluations.evaluation, name="evaluation"),
    path("public/evaluations/", views_evaluations.public_evaluations, name="public_evaluations"),
    path("public/evaluations/<int:pk>.pdf", views_evaluations.public_evaluation_pdf, name="public_evaluation_pdf"),
]
