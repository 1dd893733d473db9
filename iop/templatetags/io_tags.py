"""{% io_links "kind" key=value ... %}: export and import links for the data on a page.

Shows only what the user's role allows (the dataset's roles, iop/spreadsheets/registry.py); the export links
carry the page's current filters (its query string) plus any given as arguments.
"""

from django import template
from django.http import QueryDict
from django.urls import reverse

from iop.spreadsheets.registry import datasets

register = template.Library()

# Query parameters each export understands (the rest of a page's query string is dropped).
FILTERS = {"agreement", "year", "q", "kind", "organisation", "participant"}


@register.inclusion_tag("io/_links.html", takes_context=True)
def io_links(context, kind: str, **filters):
    dataset = datasets()[kind]
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    query = QueryDict(mutable=True)
    for key, value in request.GET.items():
        if key in FILTERS and value:
            query[key] = value
    for key, value in filters.items():
        if value not in (None, ""):
            query[key] = str(value)
    export_url = reverse("io_export", args=[kind])
    return {
        "show": dataset.may_export(user) or dataset.may_import(user),
        "dataset": dataset,
        "may_export": dataset.may_export(user),
        "may_import": dataset.may_import(user),
        "xlsx_url": f"{export_url}?{_with(query, format='xlsx')}",
        "csv_url": f"{export_url}?{_with(query, format='csv')}",
        "import_url": reverse("io_import", args=[kind]),
    }


def _with(query: QueryDict, **extra) -> str:
    combined = query.copy()
    for key, value in extra.items():
        combined[key] = value
    return combined.urlencode()
