from django.contrib import admin

from portal.projects.models import Environment, Project


class EnvironmentInline(admin.TabularInline):
    model = Environment
    extra = 0
    fields = ["name", "provider", "region", "residency", "approval_required", "monthly_budget"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "team"]
    list_filter = ["team"]
    search_fields = ["name", "slug"]
    inlines = [EnvironmentInline]


@admin.register(Environment)
class EnvironmentAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "provider", "region", "residency", "approval_required"]
    list_filter = ["provider", "residency", "approval_required"]
    search_fields = ["name", "project__name", "region"]
