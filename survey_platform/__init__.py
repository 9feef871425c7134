"""The Django project."""

import django_stubs_ext

# Generic Django classes take type arguments at run time too (ModelAdmin[Station],
# ListView[Station]), as django-stubs types them (django-tasks does this as well).
django_stubs_ext.monkeypatch()
