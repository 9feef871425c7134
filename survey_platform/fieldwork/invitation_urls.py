"""URLs of the invitation pages (station staff; office for any station)."""

from django.urls import path

from . import invitation_views as views

Q = "quotas/<int:pk>/"

urlpatterns = [
    path(Q + "invitations/", views.InvitationsView.as_view(), name="invitations"),
    path(Q + "invitations/import/", views.RosterImportView.as_view(), name="roster-import"),
    path(Q + "invitations/issue/", views.IssueCodesView.as_view(), name="codes-issue"),
    path(Q + "invitations/send/", views.SendInvitationsView.as_view(), name="invitations-send"),
    path(Q + "invitations/remind/", views.SendRemindersView.as_view(), name="reminders-send"),
    path(Q + "open-link/", views.OpenLinkToggleView.as_view(), name="open-link"),
    path(Q + "invitations/slips/", views.PrintSlipsView.as_view(), name="slips-print"),
    path(
        Q + "invitations/<int:invitation>/reissue/",
        views.ReissueView.as_view(),
        name="code-reissue",
    ),
    path(Q + "poster.png", views.PosterPngView.as_view(), name="poster-png"),
    path(Q + "poster.pdf", views.PosterPdfView.as_view(), name="poster-pdf"),
]
