from django.urls import path

from . import views, views_calculator

app_name = "subsidy"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/<str:action>/", views.claim_action, name="claim_action"),
    path("classes/<int:class_id>/claim/", views.claim_new, name="claim_new"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("recoveries/", views.recoveries, name="recoveries"),
    path("recoveries/<int:pk>/", views.recovery_action, name="recovery_action"),
    path("budgets/", views.budgets, name="budgets"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/<int:line_id>/objection/", views.objection, name="objection"),
    path("lines/<int:line_id>/onward/", views.onward_record, name="onward_record"),
    path("mine/", views.my_subsidies, name="mine"),
    path("calculator/", views_calculator.calculator, name="calculator"),
]
