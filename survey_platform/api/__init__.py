"""The REST API at /api/v1/: per-domain viewsets over the same services as the pages.

Every write goes through a service function (``services.py`` / ``invitations.py`` /
``respondent.py`` of the owning app); these modules only parse, check the role and shape
the answer. Errors leave in the one format of ``survey_platform.core.api``.
"""
