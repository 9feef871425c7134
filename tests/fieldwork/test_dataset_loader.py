"""The wave dataset loader: rows, design and domain columns, weights, the file cache and
its fingerprint, the management command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

import analysis as an
from analysis.simulate import simulate_answers
from instruments.standard import load_standard
from survey_platform.fieldwork import dataset as loader
from survey_platform.fieldwork import services
from survey_platform.fieldwork.dataset import (
    DatasetUnavailable,
    dataset_path,
    load_or_build,
    wave_dataset,
    wave_table_for,
)
from survey_platform.fieldwork.models import Response, Wave
from survey_platform.network.models import PopulationMargin, Region, Sector
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db

POPULATION = 20_000


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English, whatever language an earlier test left on."""
    with translation.override("en"):
        yield


@pytest.fixture
def stations():
    sectors = list(Sector.objects.order_by("order")[:2])
    regions = list(Region.objects.filter(level="county").order_by("code")[:2])
    return [
        StationFactory(sector=sectors[i % 2], region=regions[i // 2], frame_size=500 * (i + 1))
        for i in range(4)
    ]


@pytest.fixture
def wave(office, standard_version, stations) -> Wave:
    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code="2026-DS",
        title="数据集测试",
        kind="comprehensive",
        instrument_version=standard_version,
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=30),
    )
    for station in stations:
        services.quota_set(actor=office, wave=wave, station=station, target=500)
    return services.wave_open(actor=office, wave=wave)


def add_responses(wave: Wave, stations, per_station: int = 40, seed: int = 1, **fields) -> None:
    labels = np.repeat(np.arange(len(stations)), per_station)
    docs = simulate_answers(load_standard(), labels.size, seed=seed, station=labels)
    rows = [
        Response(
            wave=wave,
            station=stations[int(k)],
            instrument_version=wave.instrument_version,
            answers={**doc, "A1": doc.get("A1", "1")},  # sex is required: always answered
            status=fields.get("status", "complete"),
            quality_flags=fields.get("quality_flags", []),
        )
        for k, doc in zip(labels, docs, strict=True)
    ]
    Response.objects.bulk_create(rows)


@pytest.fixture
def filled(wave, stations) -> Wave:
    add_responses(wave, stations)
    return wave


def add_margins(year: int, stations, population: int = POPULATION) -> None:
    sectors = sorted({s.sector.code for s in stations})
    regions = sorted({s.region.code for s in stations})
    shares = {
        "sector": dict(zip(sectors, (0.6, 0.4), strict=True)),
        "region": dict(zip(regions, (0.3, 0.7), strict=True)),
    }
    shares["sex"] = {"M": 0.55, "F": 0.45}
    for dim, levels in shares.items():
        for level, share in levels.items():
            PopulationMargin.objects.create(
                reference_year=year, dimension=dim, level=level, total=round(population * share)
            )


def opening_year(wave: Wave) -> int:
    return timezone.localtime(wave.opens_at).year


def count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = loader._build

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "_build", spy)
    return calls


# --- rows, columns, weights ------------------------------------------------------------


def test_rows_design_and_domain_columns(filled, stations) -> None:
    Response.objects.create(
        wave=filled, station=stations[0], instrument_version=filled.instrument_version
    )  # a partial response is not analysed
    ds = wave_dataset(filled)
    assert ds.n == 160
    station = ds.factor("station")
    assert station.levels == tuple(str(s.pk) for s in sorted(stations, key=lambda s: s.pk))
    assert np.all(np.diff(station.codes) >= 0)  # rows ordered by station
    for name in ("stratum", "sector", "region", "sex", "title", "age_group"):
        assert name in ds.columns
    sector = ds.factor("sector")
    np.testing.assert_array_equal(ds.factor("stratum").codes, sector.codes)
    first = sector.levels[sector.codes[0]]
    assert first == stations[0].sector.code
    assert ds.codebook["sector"].levels[0].labels["zh-hans"]
    assert set(ds.factor("sex").levels) == {"M", "F"}
    assert ds.design(lonely_psu="adjust").n_psus == 4


def test_without_margins_the_base_weights_are_used(filled, stations) -> None:
    PopulationMargin.objects.create(
        reference_year=opening_year(filled) + 1, dimension="sex", level="M", total=5
    )  # a later year does not apply
    ds = wave_dataset(filled)
    st = ds.factor("station")
    frame = np.array([s.frame_size for s in sorted(stations, key=lambda s: s.pk)], dtype=float)
    np.testing.assert_allclose(ds.weights, frame[st.codes] / 40)
    assert ds.weights.sum() == pytest.approx(frame.sum())


def test_weights_are_raked_to_the_latest_margins_and_trimmed(filled, stations) -> None:
    year = opening_year(filled)
    add_margins(year - 2, stations, population=999)  # older: not used
    add_margins(year - 1, stations)
    report = load_or_build(filled)
    w = report.dataset.weights
    assert np.all(w > 0)
    assert w.sum() == pytest.approx(POPULATION, rel=1e-6)
    assert report.weights is not None and report.weights.margins.year == year - 1
    assert set(report.weights.raked) == {"sector", "region", "sex"}
    assert w.max() <= 3.0 * w.mean() * (1 + 1e-6) and w.min() >= 0.3 * w.mean() * (1 - 1e-6)
    for dim in ("sex", "sector"):
        fac = report.dataset.factor(dim)
        got = np.bincount(fac.codes, weights=w, minlength=fac.n_levels)
        want = [PopulationMargin.objects.get(reference_year=year - 1, dimension=dim, level=lv).total
                for lv in fac.levels]  # fmt: skip
        np.testing.assert_allclose(got, want, rtol=1e-5)


def test_a_missing_raking_answer_is_weighted_in_the_station_mode(filled, stations) -> None:
    add_margins(opening_year(filled), stations)
    odd = Response.objects.filter(wave=filled).order_by("id").first()
    odd.answers = {k: v for k, v in odd.answers.items() if k != "A1"}
    odd.save()
    report = load_or_build(filled)
    assert report.weights is not None and report.weights.imputed == {"sex": 1}
    assert np.all(report.dataset.weights > 0)
    assert report.dataset.factor("sex").codes.min() == -1  # the dataset keeps the gap


def test_margins_that_do_not_match_are_refused_clearly(filled, stations) -> None:
    PopulationMargin.objects.create(
        reference_year=opening_year(filled), dimension="sector", level="no-such", total=10
    )
    with pytest.raises(DatasetUnavailable, match="sector"):
        wave_dataset(filled)


def test_a_station_without_frame_size_is_named(filled, stations) -> None:
    stations[1].frame_size = 0
    stations[1].save()
    with pytest.raises(DatasetUnavailable, match=stations[1].name):
        wave_dataset(filled)


def test_a_wave_without_complete_responses_is_refused(wave, stations) -> None:
    add_responses(wave, stations, per_station=2, status="partial")
    with translation.override("en"):
        with pytest.raises(DatasetUnavailable, match="2026-DS has no complete responses"):
            wave_dataset(wave)
    with translation.override("zh-hans"), pytest.raises(DatasetUnavailable, match="尚无可分析"):
        wave_dataset(wave)


# --- flagged responses -----------------------------------------------------------------


def test_flagged_responses_are_left_out_unless_asked_for(filled, stations) -> None:
    add_responses(filled, stations[:1], per_station=7, seed=5, quality_flags=["speeder"])
    assert filled.exclude_flagged
    assert wave_dataset(filled).n == 160
    assert wave_dataset(filled, include_flagged=True).n == 167
    assert wave_dataset(filled, include_flagged=False).n == 160
    assert dataset_path(filled, True).exists() and dataset_path(filled, False).exists()


def test_changing_exclude_flagged_invalidates_the_default(filled, stations, monkeypatch) -> None:
    add_responses(filled, stations[:1], per_station=3, seed=5, quality_flags=["duplicate"])
    assert wave_dataset(filled).n == 160
    builds = count_builds(monkeypatch)
    filled.exclude_flagged = False
    filled.save()
    assert wave_dataset(filled).n == 163
    assert builds == [1]


# --- the cache -------------------------------------------------------------------------


def test_a_current_cache_is_loaded_not_rebuilt(filled, monkeypatch) -> None:
    first = wave_dataset(filled)
    builds = count_builds(monkeypatch)
    again = load_or_build(filled)
    assert builds == [] and not again.built and "load" in again.seconds
    second = again.dataset
    assert second.fingerprint == first.fingerprint
    assert second.codebook.to_json() == first.codebook.to_json()
    assert set(second.columns) == set(first.columns)
    for code, col in first.columns.items():
        np.testing.assert_array_equal(second.columns[code], col)
    assert set(second.texts) == set(first.texts)
    assert an.read_fingerprint(dataset_path(filled, False)) == first.fingerprint


def test_new_changed_or_flagged_responses_invalidate_the_cache(
    filled, stations, monkeypatch
) -> None:
    fingerprints = [wave_dataset(filled).fingerprint]
    builds = count_builds(monkeypatch)
    add_responses(filled, stations[2:3], per_station=1, seed=9)
    ds = wave_dataset(filled)
    fingerprints.append(ds.fingerprint)
    assert ds.n == 161
    one = Response.objects.filter(wave=filled).order_by("id").first()
    one.answers = {**one.answers, "A1": "2" if one.answers["A1"] == "1" else "1"}
    one.save()
    fingerprints.append(wave_dataset(filled).fingerprint)
    Response.objects.filter(pk=one.pk).update(quality_flags=["speeder"])  # no updated_at
    ds = wave_dataset(filled)
    fingerprints.append(ds.fingerprint)
    assert ds.n == 160
    assert len(set(fingerprints)) == 4 and len(builds) == 3
    assert wave_dataset(filled).fingerprint == fingerprints[-1] and len(builds) == 3


def test_a_frame_size_change_invalidates_the_cache(filled, stations, monkeypatch) -> None:
    before = wave_dataset(filled).weights.sum()
    stations[0].frame_size += 1000
    stations[0].save()
    assert wave_dataset(filled).weights.sum() == pytest.approx(before + 1000)


def test_the_cache_file_is_replaced_atomically(filled, stations, monkeypatch) -> None:
    old = wave_dataset(filled)
    path = dataset_path(filled, False)
    add_responses(filled, stations[:1], per_station=1, seed=3)

    def broken(fh, **members):
        fh.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)  # what analysis.save_dataset writes with
    with pytest.raises(OSError, match="disk full"):
        wave_dataset(filled)
    assert an.read_fingerprint(path) == old.fingerprint  # the old file, whole
    assert an.load_dataset(path).n == old.n
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary left
    monkeypatch.undo()
    assert wave_dataset(filled).n == old.n + 1


def test_a_damaged_cache_file_is_rebuilt(filled) -> None:
    ds = wave_dataset(filled)
    dataset_path(filled, False).write_bytes(b"not a dataset")
    assert wave_dataset(filled).fingerprint == ds.fingerprint


# --- wave table and command ------------------------------------------------------------


def test_wave_table_for_a_wave(filled, stations) -> None:
    add_margins(opening_year(filled), stations)
    table = wave_table_for(filled)
    assert table.k == an.DEFAULT_K and len(table)
    assert {"", "sector", "region", "sex"} <= set(table.by.tolist())
    whole = table.where(variable="A1", by="")
    assert whole.n.tolist() == [160, 160]


def test_build_dataset_command(filled, stations) -> None:
    add_margins(opening_year(filled), stations)
    out = StringIO()
    call_command("build_dataset", wave="2026-DS", stdout=out)
    text = out.getvalue()
    assert "160 responses from 4 stations" in text and "built" in text
    assert "Raked to the" in text and "final weights: sum 20000" in text
    out = StringIO()
    call_command("build_dataset", wave="2026-DS", stdout=out)
    assert "loaded from the cache" in out.getvalue()
    out = StringIO()
    call_command("build_dataset", "--include-flagged", "--rebuild", wave="2026-DS", stdout=out)
    assert "built" in out.getvalue() and ".all.npz" in out.getvalue()
    with pytest.raises(CommandError, match="no wave with the code"):
        call_command("build_dataset", wave="nope")


def test_build_dataset_command_refuses_an_empty_wave(wave) -> None:
    with pytest.raises(CommandError, match="no complete responses"):
        call_command("build_dataset", wave=wave.code)
