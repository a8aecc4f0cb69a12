"""The admin's base class: every admin form goes through the identifier guard."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .forms import FreeTextFormMixin, FreeTextModelForm, show_text_warnings


class FreeTextAdminMixin:
    """Every model admin of the project (a test checks the registry): its forms, and its
    inlines' forms, refuse NHS numbers in text fields and warn about names."""

    def get_form(self, request, obj=None, **kwargs):
        # The model's form, or auth's own user forms, with the guard mixed in.
        return _guarded(super().get_form(request, obj, **kwargs))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        show_text_warnings(request, form)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            show_text_warnings(request, inline_form)


def _guarded(form):
    return form if issubclass(form, FreeTextFormMixin) else type(
        form.__name__, (FreeTextFormMixin, form), {}
    )


class FreeTextInlineMixin:
    """An inline's forms (its own form class too) through the identifier guard."""

    form = FreeTextModelForm

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = _guarded(kwargs.get("form", self.form))
        return super().get_formset(request, obj, **kwargs)


class GuardedInline(FreeTextInlineMixin, admin.TabularInline):
    pass


class GuardedStackedInline(FreeTextInlineMixin, admin.StackedInline):
    pass


class GuardedAdmin(FreeTextAdminMixin, SimpleHistoryAdmin):
    """A model admin with history (django-simple-history) and the identifier guard."""


class GuardedPlainAdmin(FreeTextAdminMixin, admin.ModelAdmin):
    """For models without history (uploads, stored charts)."""
