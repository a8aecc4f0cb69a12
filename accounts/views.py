"""Sign-in (with the limits of accounts.limits), the account page and the second factor."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from .limits import client_address, sign_in_failed, sign_in_refusal, sign_in_succeeded
from .two_factor import (
    confirmed_device,
    manual_key,
    pending_device,
    qr_svg,
    requires_second_factor,
)


class SignInView(auth_views.LoginView):
    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        address = client_address(request)
        if refusal := sign_in_refusal(username=username, address=address):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            sign_in_succeeded(username=username, address=address)
        elif response.status_code == 200:  # the form again: wrong username or password
            sign_in_failed(username=username, address=address)
        return response


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("Enter the 6-digit code your app shows now.")
        return code


def _next(request, default="account"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
@require_http_methods(["GET"])
def account(request):
    return render(request, "registration/account.html", {
        "device": confirmed_device(request.user),
        "required": requires_second_factor(request.user),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The step after the password for a user with an authenticator app."""
    device = confirmed_device(request.user)
    if device is None or request.user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", "That code is wrong or has expired: enter the code shown now.")
    return render(request, "registration/verify.html", {"form": form,
                                                         "next": _next(request, "")})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Set up an authenticator app: scan the QR code (or type the key), then confirm a code."""
    if confirmed_device(request.user) is not None:
        if not request.user.is_verified():
            return redirect("accounts:verify")
        messages.info(request, "Your authenticator app is already set up.")
        return redirect("account")
    device = pending_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "Your authenticator app is set up: you will be asked "
                             "for a code each time you sign in.")  # fmt: skip
            return redirect(_next(request))
        form.add_error("code", "That code does not match: check the app shows MHSIP and "
                       "enter the code shown now.")  # fmt: skip
    return render(request, "registration/two_factor.html", {
        "form": form, "qr": qr_svg(device), "key": manual_key(device),
        "required": requires_second_factor(request.user), "next": _next(request, ""),
    })  # fmt: skip


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from an emailed link. An invited member (made inactive, never signed
    in: wards members page) becomes active by choosing a password; a deactivated user who
    has signed in before stays inactive."""

    def form_valid(self, form):
        user = form.user
        if not user.is_active and user.last_login is None:
            user.is_active = True
            user.save(update_fields=["is_active"])
        return super().form_valid(form)
