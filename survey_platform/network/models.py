"""The station network: regions, host sectors, stations, their staff, population margins."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from survey_platform.core.scoping import StationScopedQuerySet


class BilingualName(models.Model):
    """Reference data named in Chinese with an English rendering for the en interface."""

    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Region(BilingualName):
    class Level(models.TextChoices):
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Sector(BilingualName):
    code = models.CharField(_("code"), max_length=20, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class StationLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


FRAME_SIZE_NEGATIVE = _("The number of S&T workers cannot be negative.")


class StationQuerySet(StationScopedQuerySet["Station"]):
    station_path = ""


class Station(models.Model):
    name = models.CharField(_("station name"), max_length=120)
    host_institution = models.CharField(_("host institution"), max_length=160)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="stations",
        error_messages={
            "null": _("Choose the region of the station."),
            "blank": _("Choose the region of the station."),
        },
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="stations",
        error_messages={
            "null": _("Choose the sector of the host institution."),
            "blank": _("Choose the sector of the host institution."),
        },
    )
    level = models.CharField(
        _("level"), max_length=12, choices=StationLevel.choices, default=StationLevel.CITY
    )
    active = models.BooleanField(_("active"), default=True)
    # A plain IntegerField: PositiveIntegerField would add Django's generic ">= 0" message
    # beside ours. The check constraint guards the database itself.
    frame_size = models.IntegerField(
        _("S&T workers at the host"),
        validators=[MinValueValidator(0, message=FRAME_SIZE_NEGATIVE)],
        help_text=_("Number of science and technology workers at the host institution."),
    )
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "sector__order", "name"]
        verbose_name = _("survey station")
        verbose_name_plural = _("survey stations")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="station_name_unique_in_region",
                violation_error_message=_(
                    "A station with this name already exists in this region."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(frame_size__gte=0),
                name="station_frame_size_non_negative",
                violation_error_message=FRAME_SIZE_NEGATIVE,
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StationRole(models.TextChoices):
    HEAD = "head", _("Station head (站长)")
    SURVEYOR = "surveyor", _("Surveyor (调查员)")
    INFORMANT = "informant", _("Information officer (信息员)")


class StationMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="station_memberships",
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=StationRole.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["station__name", "role"]
        verbose_name = _("station membership")
        verbose_name_plural = _("station memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "station"],
                name="membership_unique_user_station",
                violation_error_message=_("This user already belongs to this station."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} @ {self.station} ({self.get_role_display()})"


class MarginDimension(models.TextChoices):
    SECTOR = "sector", _("Sector")
    REGION = "region", _("Region")
    SEX = "sex", _("Sex")
    AGE_GROUP = "age_group", _("Age group")
    TITLE = "title", _("Professional title")


# Levels of the demographic dimensions; sector and region levels are their codes.
SEX_LEVELS = {"F": _("Female"), "M": _("Male")}
AGE_GROUP_LEVELS = {
    "lt35": _("Under 35"),
    "35-44": _("35–44"),
    "45-54": _("45–54"),
    "55plus": _("55 and over"),
}
TITLE_LEVELS = {
    "senior": _("Full senior (正高)"),
    "associate": _("Associate senior (副高)"),
    "intermediate": _("Intermediate (中级)"),
    "junior": _("Junior (初级)"),
    "none": _("None (无)"),
}


class PopulationMargin(models.Model):
    """A known population total of S&T workers for one level of one dimension.

    Each wave's weights are raked to the margins of one reference year; within a year and
    dimension the totals must add up to the same population size.
    """

    reference_year = models.PositiveSmallIntegerField(_("reference year"))
    dimension = models.CharField(_("dimension"), max_length=12, choices=MarginDimension.choices)
    level = models.CharField(_("level"), max_length=20)
    total = models.PositiveIntegerField(_("population total"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["reference_year", "dimension", "level"]
        verbose_name = _("population margin")
        verbose_name_plural = _("population margins")
        constraints = [
            models.UniqueConstraint(
                fields=["reference_year", "dimension", "level"],
                name="margin_unique_level",
                violation_error_message=_("This level already has a total for that year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference_year} {self.get_dimension_display()} {self.level}: {self.total}"

    def clean(self) -> None:
        if self.level and self.level not in margin_levels(self.dimension):
            raise ValidationError(
                {
                    "level": _("“%(level)s” is not a level of this dimension.")
                    % {"level": self.level}
                }
            )


def margin_levels(dimension: str) -> list[str]:
    """The valid level codes of a margin dimension, in display order."""
    fixed = {
        MarginDimension.SEX: SEX_LEVELS,
        MarginDimension.AGE_GROUP: AGE_GROUP_LEVELS,
        MarginDimension.TITLE: TITLE_LEVELS,
    }
    if dimension in fixed:
        return list(fixed[MarginDimension(dimension)])
    if dimension == MarginDimension.SECTOR:
        return list(Sector.objects.values_list("code", flat=True))
    if dimension == MarginDimension.REGION:
        return list(Region.objects.filter(level=Region.Level.COUNTY).values_list("code", flat=True))
    return []
