from django.urls import path

from . import views

app_name = "talent"

urlpatterns = [
    path("", views.pool_list, name="pool"),
    path("export.xlsx", views.pool_export, name="export"),
    path("person/<int:pk>/", views.person_detail, name="person"),
    path("person/<int:pk>/entries/", views.entry_add, name="entry_add"),
    path("person/<int:pk>/series/", views.series_set, name="series"),
    path("entry/<int:pk>/withdraw/", views.entry_withdraw, name="entry_withdraw"),
    path("letter/<int:certificate_pk>.pdf", views.letter, name="letter"),
    path("my/", views.my_file, name="my"),
    path("backfill/", views.backfill, name="backfill"),
]
