"""OpenAPI generation: permissions and error responses added to every operation.

``AutoSchema`` appends each endpoint's permissions (the ``doc`` of its permission classes,
so the text cannot drift from the rule) and documents the error responses the endpoint
can give, all in the one error format (:class:`base.ErrorOut`). ``strict_requests`` marks
request bodies ``additionalProperties: false``: the input serializers refuse unknown
fields, and the schema says so.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import permissions as drf_permissions

from survey_platform.core.api import IsOffice

from .base import ErrorOut

_DOCS: dict[type, str] = {
    IsOffice: "Survey office only. Station staff and leadership: 403.",
    drf_permissions.IsAuthenticated: "Any signed-in user.",
}

ERRORS = {
    "400": "Bad input: malformed JSON, a wrong type, an unknown field or a refused value.",
    "401": "Not signed in, or the API token is invalid, revoked or expired.",
    "403": "Signed in, but the role may not do this.",
    "404": "Not found, or not within the user's stations.",
    "409": "Refused in the object's current state (e.g. a closed wave).",
    "413": "The request body is larger than the limit.",
    "415": "Unsupported content type for the request body.",
}
BODY_METHODS = ("POST", "PUT", "PATCH")


class AutoSchema(BaseAutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        # Here rather than in get_description(), which @extend_schema(description=…) replaces.
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            docs = [self._permission_doc(p) for p in self.view.get_permissions()]
            text = operation.get("description", "")
            perms = " ".join(d for d in docs if d) or "Anyone."
            operation["description"] = f"{text}\n\n**Permissions:** {perms}".strip()
        return operation

    @staticmethod
    def _permission_doc(permission: Any) -> str:
        return getattr(permission, "doc", "") or _DOCS.get(type(permission), "")

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                # drf-spectacular leaves this method unannotated.
                body = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    ErrorOut, code, direction=direction
                )
                body["description"] = ERRORS[code]
                responses[code] = body
        return responses

    def _error_codes(self) -> list[str]:
        codes = []
        public = any(isinstance(p, drf_permissions.AllowAny) for p in self.view.get_permissions())
        has_body = self.method in BODY_METHODS
        has_query = self._is_list_view() or bool(self.get_override_parameters())
        if has_body or has_query:
            codes.append("400")
        if not public:
            codes += ["401", "403"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")  # also an invalid ?page=
        if self.method not in drf_permissions.SAFE_METHODS:
            codes.append("409")
        if has_body:
            codes += ["413", "415"]
        return codes


def strict_requests(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: request bodies take no fields beyond those listed."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return result
