from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("occupations/", views.occupation_list, name="occupation_list"),
    path("occupations/<str:code>/", views.occupation_detail, name="occupation_detail"),
    path("occupations/<str:code>/edit/", views.occupation_edit, name="occupation_edit"),
    path("listings/", views.listing_list, name="listing_list"),
    path("listings/add/", views.listing_add, name="listing_add"),
    path("listings/export.xlsx", views.listing_export, name="listing_export"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/status/", views.listing_status, name="listing_status"),
    path("listings/<int:pk>/coverage/", views.listing_coverage, name="listing_coverage"),
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/add/", views.standard_add, name="standard_add"),
]
