"""Who invoices whom: the agreement's invoicing pairs (seller, buyer, share or amount,
marking and reference), listed for everyone who sees the agreement and kept by finance
staff and partnership managers. Every change is a new version of the agreement."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop.audit import AuditContext

from . import access, actions
from .access import CAN_EDIT_INVOICING, require_role
from .forms import InvoicingPairForm
from .http import AuthedHttpRequest
from .models import AgreementParty, InvoicingPair


def invoicing_pair_list(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id)
    pairs = list(
        InvoicingPair.objects.filter(agreement=agreement)
        .select_related("seller__organisation", "buyer__organisation")
        .order_by("position", "pk")
    )
    parties = list(agreement.parties.select_related("organisation"))
    operators = [p for p in parties if p.role == AgreementParty.PartyRole.OPERATOR]
    return render(
        request,
        "partnerships/invoicing_pair_list.html",
        {
            "agreement": agreement,
            "pairs": pairs,
            # Without pairs the first operator invoices every public funder its whole share.
            "default_seller": operators[0] if operators else None,
            "can_edit": request.user.has_role(*CAN_EDIT_INVOICING),
        },
    )


def invoicing_pair_edit(
    request: AuthedHttpRequest, agreement_id: int, pair_id: int | None = None
) -> HttpResponse:
    if pair_id is None:
        agreement = access.access_agreement_by_id(request.user, agreement_id)
        require_role(request.user, CAN_EDIT_INVOICING)
        pair = None
    else:
        pair = access.access_invoicing_pair_by_id(
            request.user, agreement_id, pair_id, for_edit=True
        )
        agreement = pair.agreement
    form = InvoicingPairForm(request.POST or None, instance=pair, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        saved = actions.save_invoicing_pair(
            user=request.user,
            audit=AuditContext.from_request(request),
            agreement=agreement,
            form=form,
        )
        messages.success(request, _("Faktureringsparet %(pair)s är sparat.") % {"pair": saved})
        return redirect("invoicing_pair_list", agreement.pk)
    return render(
        request,
        "partnerships/invoicing_pair_form.html",
        {"agreement": agreement, "form": form, "pair": pair},
        status=400 if form.is_bound else 200,
    )


@require_POST
def invoicing_pair_delete(
    request: AuthedHttpRequest, agreement_id: int, pair_id: int
) -> HttpResponse:
    pair = access.access_invoicing_pair_by_id(request.user, agreement_id, pair_id, for_edit=True)
    try:
        actions.remove_invoicing_pair(
            user=request.user, audit=AuditContext.from_request(request), pair=pair
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Faktureringsparet %(pair)s är borttaget.") % {"pair": pair})
    return redirect(reverse("invoicing_pair_list", args=[pair.agreement_id]))
