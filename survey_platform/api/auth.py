"""The signed-in user (``me``) and their API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from survey_platform.core.permissions import signed_in
from survey_platform.core.roles import roles_of
from survey_platform.network.models import StationMembership

from . import tokens
from .base import StrictSerializer, documented, example, page_example, parse, path_example
from .models import ApiToken
from .permissions import AnyRole


class TokenOut(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at",
                  "revoked_at"]  # fmt: skip


class NewTokenOut(TokenOut):
    key = serializers.CharField(help_text="The key. It is shown only in this reply.")

    class Meta(TokenOut.Meta):
        fields = [*TokenOut.Meta.fields, "key"]


class TokenIn(StrictSerializer):
    name = serializers.CharField(max_length=100)
    days = serializers.IntegerField(min_value=1, max_value=tokens.MAX_DAYS, default=90)


TOKEN_EXAMPLE = {"id": 4, "name": "nightly export", "prefix": "stp_Qx3v",
                 "created_at": "2026-10-01T09:00:00+08:00",
                 "expires_at": "2026-12-30T09:00:00+08:00", "last_used_at": None,
                 "revoked_at": None}  # fmt: skip


@extend_schema_view(
    list=documented(
        summary="List my API tokens",
        description="The signed-in user's tokens (never their keys).",
        examples=[example("tokens", page_example([TOKEN_EXAMPLE]))],
    )
)
class TokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ApiToken],
):  # fmt: skip
    """The user's own API tokens."""

    permission_classes = [AnyRole]
    serializer_class = TokenOut

    def get_queryset(self) -> QuerySet[ApiToken]:
        return tokens.tokens_of(self.request.user)

    @documented(
        summary="Create an API token",
        description="A new token for the signed-in user, valid for `days` (1–365, default "
        "90). The key is in this reply only; only its hash is stored. Send it as "
        "`Authorization: Bearer <key>`; once expired it is refused with 401.",
        request=TokenIn,
        responses={201: NewTokenOut},
        examples=[example("new", {"name": "nightly export", "days": 90}, request=True),
                  example("created", {**TOKEN_EXAMPLE, "key": "stp_Qx3v…"}, status=201)],
    )  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = parse(TokenIn, request)
        token, key = tokens.token_create(actor=signed_in(request), user=request.user, **data)
        token.key = key  # type: ignore[attr-defined]
        return Response(NewTokenOut(token).data, status=201)

    @documented(
        summary="Revoke an API token",
        description="The token stops working at once (audited).",
        parameters=[path_example("id", 4, "Token id (from the list)")],
        examples=[],
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tokens.token_revoke(actor=signed_in(request), token=self.get_object())
        return Response(status=204)


class StationRoleOut(serializers.Serializer[Any]):
    station = serializers.IntegerField(source="station_id")
    station_name = serializers.CharField(source="station.name")
    role = serializers.CharField()


class MeOut(serializers.Serializer[Any]):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    stations = StationRoleOut(many=True)


class MeView(APIView):
    permission_classes = [AnyRole]

    @documented(
        summary="Who am I",
        description="The signed-in user's roles and station memberships.",
        responses={200: MeOut},
        examples=[example("station officer", {
            "username": "station_a", "roles": ["station"],
            "stations": [{"station": 12, "station_name": "皖东理工学院调查站", "role": "head"}],
        })],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        user = signed_in(request)  # AnyRole has let a signed-in user through
        memberships = StationMembership.objects.filter(user=user).select_related("station")
        return Response(
            MeOut({"username": user.get_username(), "roles": [str(r) for r in roles_of(user)],
                   "stations": list(memberships)}).data
        )  # fmt: skip
