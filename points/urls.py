"""Pages of village points 积分管理 and the happiness fund 幸福基金."""

from django.urls import path

from points import views

urlpatterns = [
    path("points/", views.points_home, name="points_home"),
    path("points/villages/<int:pk>/", views.village_points, name="points_village"),
    path("points/villages/<int:pk>/rules/", views.rules, name="points_rules"),
    path("points/villages/<int:pk>/rules/adopt/", views.rules_adopt, name="points_rules_adopt"),
    path("points/villages/<int:pk>/households/new/", views.household_create,
         name="points_household_create"),
    path("points/villages/<int:pk>/approve/", views.records_approve, name="points_approve"),
    path("points/villages/<int:pk>/board/", views.board, name="points_board"),
    path("points/villages/<int:pk>/fund/", views.fund, name="points_fund"),
    path("points/villages/<int:pk>/fund/donate/", views.donation_create,
         name="points_donation_create"),
    path("points/villages/<int:pk>/award-all/", views.award_all, name="points_award_all"),
    path("points/rule-items/<int:pk>/edit/", views.rule_item_edit, name="points_rule_item_edit"),
    path("points/townships/<int:pk>/", views.township, name="points_township"),
    path("points/households/<int:pk>/", views.household_detail, name="points_household"),
    path("points/households/<int:pk>/record/", views.record_create, name="points_record_create"),
    path("points/households/<int:pk>/redeem/", views.redemption_create,
         name="points_redemption_create"),
    path("points/records/<int:pk>/photo/", views.record_photo, name="points_record_photo"),
    path("points/records/<int:pk>/reject/", views.record_reject, name="points_record_reject"),
    path("points/records/<int:pk>/objection/", views.objection_create,
         name="points_objection_create"),
    path("points/objections/<int:pk>/decide/", views.objection_decide,
         name="points_objection_decide"),
    path("points/bank-list/", views.bank_list, name="points_bank_list"),
]  # fmt: skip
