from django.urls import path

from portal.finops import views

app_name = "finops"

urlpatterns = [
    path("finops/price-book/", views.price_book, name="price_book"),
    path("finops/price-book/edit/", views.price_book_edit, name="price_book_edit"),
    path("finops/price-book/overrides/add/", views.OverrideEditView.as_view(), name="override_add"),
    path(
        "finops/price-book/overrides/<int:pk>/edit/",
        views.OverrideEditView.as_view(),
        name="override_edit",
    ),
    path(
        "finops/price-book/overrides/<int:pk>/delete/",
        views.OverrideDeleteView.as_view(),
        name="override_delete",
    ),
    path("finops/estimate/preview/", views.estimate_preview, name="estimate_preview"),
    path("finops/runs/<int:pk>/estimate/", views.run_estimate, name="run_estimate"),
    path("finops/report/", views.cost_report, name="cost_report"),
]
