from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mhsip.forms import show_text_warnings

from .forms import TokenForm
from .models import ApiToken
from .services import api_token_create, api_token_revoke

# The new key travels from the POST to the next page in the session, once, then is dropped.
NEW_KEY_SESSION = "tokens_new_key"


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session[NEW_KEY_SESSION] = {"id": token.pk, "key": key}
            show_text_warnings(request, form)
            return redirect("tokens:list")
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "tokens/tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    # Another user's token is 404: its existence is not revealed.
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    api_token_revoke(token=token)
    messages.success(request, f"The token '{token.name}' is revoked: it no longer works.")
    return redirect("tokens:list")
