from django.urls import path

from portal.catalog import views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.CatalogView.as_view(), name="catalog"),
    path("catalog/<slug:slug>/", views.StackDetailView.as_view(), name="stack_detail"),
    path(
        "catalog/<slug:slug>/versions/<int:pk>/icon/",
        views.StackIconView.as_view(),
        name="stack_icon",
    ),
    path(
        "catalog/<slug:slug>/versions/<int:pk>/deploy/",
        views.DeployView.as_view(),
        name="deploy",
    ),
    path(
        "catalog/<slug:slug>/versions/<int:pk>/deploy/validate/",
        views.DeployValidateView.as_view(),
        name="deploy_validate",
    ),
    path("stack-sources/", views.SourceListView.as_view(), name="source_list"),
    path("stack-sources/add/", views.SourceEditView.as_view(), name="source_add"),
    path("stack-sources/<int:pk>/edit/", views.SourceEditView.as_view(), name="source_edit"),
    path(
        "stack-sources/<int:pk>/refresh/",
        views.SourceRefreshView.as_view(),
        name="source_refresh",
    ),
]
