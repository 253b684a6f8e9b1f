from django.urls import path

from . import views

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
]
