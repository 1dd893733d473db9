from django.urls import path

from . import feeds, views_followup

urlpatterns = [
    path("meetings/", views_followup.meeting_overview, name="meeting_overview"),
    path(
        "agreements/<int:agreement_id>/meetings/", views_followup.meeting_list, name="meeting_list"
    ),
    path(
        "agreements/<int:agreement_id>/meetings/new/",
        views_followup.meeting_create,
        name="meeting_create",
    ),
    path("meetings/<int:meeting_id>/", views_followup.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/edit/", views_followup.meeting_edit, name="meeting_edit"),
    path(
        "meetings/<int:meeting_id>/minutes.pdf",
        views_followup.meeting_minutes_pdf,
        name="meeting_minutes_pdf",
    ),
    path(
        "meetings/<int:meeting_id>/actions/<int:item_id>/done/",
        views_followup.action_item_done,
        name="action_item_done",
    ),
    path(
        "meetings/<int:meeting_id>/actions/<int:item_id>/reopen/",
        views_followup.action_item_reopen,
        name="action_item_reopen",
    ),
    path("calendar/", views_followup.calendar_settings, name="calendar_settings"),
    path("calendar/new/", views_followup.calendar_token_create, name="calendar_token_create"),
    path("calendar/revoke/", views_followup.calendar_token_revoke, name="calendar_token_revoke"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
