"""Codebook from the standard questionnaire, dataset building from answers, the file cache."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import analysis as an
from analysis import AnalysisError, DesignError, Kind, Role
from analysis.simulate import simulate_answers, simulate_meta
from instruments.standard import load_standard


@pytest.fixture(scope="module")
def instrument():
    return load_standard()


def test_codebook_maps_every_item_type(instrument) -> None:
    book = an.codebook_from_instrument(instrument, "en")
    assert book.language == "en" and book.instrument_id == instrument.id
    a1 = book["A1"]
    assert a1.kind is Kind.CATEGORICAL and a1.level_codes == ("1", "2")
    assert a1.levels[0].labels == {"zh-hans": "男", "en": "Male"}
    assert a1.label("zh-hans") == "您的性别" and a1.section == "A"
    assert book["A2"].kind is Kind.NUMERIC and book["C1"].kind is Kind.NUMERIC
    # matrix rows are separate categorical columns with the row's own label
    d2 = book["D2_r1"]
    assert d2.kind is Kind.CATEGORICAL and d2.item == "D2" and len(d2.levels) == 5
    assert d2.question == dict(instrument.item("D2").label)
    # multiple choice: one 0/1 column per option, named <item>__<option>
    j1 = [v for v in book.of_item("J1") if v.kind is Kind.MULTI]
    assert [v.code for v in j1][:2] == ["J1__G01", "J1__G02"] and len(j1) == 17
    assert j1[0].option == "G01" and j1[0].label("en").startswith("Insufficient")
    # ranking: the option at each of the top-k positions
    ranks = [v for v in book.of_item("D6") if v.rank is not None]
    assert [v.code for v in ranks] == ["D6__rank1", "D6__rank2", "D6__rank3"]
    # "other, specify" texts and open questions are text columns; notes have none
    assert book["A5_other"].kind is Kind.TEXT and book["K1"].kind is Kind.TEXT
    assert book.get("A0") is None
    # nested groups: section is the outermost group
    assert book["E2"].section == "E" and book["E2"].group == "E_proj"
    assert {v.code for v in book.closed()} >= {"A1", "B1", "J1__G00", "D6__rank1"}
    assert not book["K1"].closed
    with pytest.raises(AnalysisError, match="no language fr"):
        an.codebook_from_instrument(instrument, "fr")


def _meta(n: int) -> dict:
    return {
        "station": np.array(["s1", "s2", "s3", "s4"] * (n // 4)),
        "stratum": np.array(["u", "u", "h", "h"] * (n // 4)),
        "weight": np.linspace(1.0, 2.0, n),
    }


def test_dataset_from_answers_codes_values_and_counts_invalid(instrument) -> None:
    answers = [
        {"A1": "1", "A2": 1980, "A4": "2", "A8": "341102", "D4": ["1", "3"], "D6": ["2", "5"]},
        {"A1": "2", "A2": "1999", "A4": "9", "A8": "999999", "D4": ["9"], "K1": " 意见 "},
        {"A1": "", "A2": "n/a", "D4": [], "D6": ["7"], "B1": 50.5, "A5_other": "工程师"},
        {"A1": ["1"], "D4": ["1", "zz"], "D6": "2", "C1": True},
    ]
    ds = an.dataset_from_answers(instrument, answers, _meta(4), reference_year=2025)
    assert ds.n == 4 and ds["A1"].dtype == np.int8
    assert ds["A1"].tolist() == [0, 1, -1, -1]
    np.testing.assert_array_equal(ds["A2"], [1980, 1999, np.nan, np.nan])
    assert ds["D4__1"].tolist() == [1, 0, -1, 1] and ds["D4__3"].tolist() == [1, 0, -1, 0]
    assert ds["D4__9"].tolist() == [0, 1, -1, 0]
    assert ds["D6__rank1"].tolist() == [1, -1, -1, -1] and ds["D6__rank2"].tolist() == [
        4,
        -1,
        -1,
        -1,
    ]
    assert ds["B1"][2] == 50.5
    # unknown codes and values of the wrong type become missing and are counted
    assert ds.invalid == {"A2": 1, "A4": 1, "D6": 2, "A1": 1, "D4": 1, "C1": 1}
    assert ds.text("K1").tolist() == [None, " 意见 ", None, None]
    assert ds.text("A5_other")[2] == "工程师"
    # derived domains: sex from A1, title from A4, region from A8, age from A2
    assert ds.factor("sex").levels == ("M", "F") and ds["sex"].tolist() == [0, 1, -1, -1]
    assert ds["title"].tolist() == [1, -1, -1, -1]
    assert ds.factor("region").levels[0] == "341102" and ds["region"].tolist() == [0, -1, -1, -1]
    assert ds.factor("age_group").levels == ("lt35", "35-44", "45-54", "55plus")
    assert ds["age_group"].tolist() == [2, 0, -1, -1]
    assert ds.domains() == ("region", "title", "age_group", "sex")
    assert ds.codebook["station"].role is Role.DESIGN
    assert ds.codebook["station"].level_codes == ("s1", "s2", "s3", "s4")
    np.testing.assert_allclose(ds.numeric("D4__1"), [1, 0, np.nan, 1])


def test_meta_domains_take_precedence_and_fixed_levels_are_checked(instrument) -> None:
    answers = [{"A1": "1"}] * 4
    meta = _meta(4) | {"sex": np.array(["F", "F", "M", None], dtype=object)}
    meta["sector"] = np.array(["univ", "univ", "hosp", "hosp"])
    ds = an.dataset_from_answers(
        instrument, answers, meta, labels={"sector": {"univ": {"en": "University"}}}
    )
    assert ds["sex"].tolist() == [1, 1, 0, -1]
    assert ds.codebook["sector"].levels[1].label("en") == "University"
    bad = _meta(4) | {"sex": np.array(["F", "X", "M", "M"])}
    with pytest.raises(AnalysisError, match="sex has unknown levels: X"):
        an.dataset_from_answers(instrument, answers, bad)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([1.0, 0.0, 1.0, 1.0], "weight is zero or negative in 1 rows \\(first: row 1\\)"),
        ([1.0, 1.0, -2.0, 1.0], "zero or negative"),
        ([1.0, np.nan, 1.0, 1.0], "weight is missing or infinite"),
    ],
)
def test_bad_weights_are_refused(instrument, weights, match) -> None:
    meta = _meta(4) | {"weight": np.array(weights)}
    with pytest.raises(DesignError, match=match):
        an.dataset_from_answers(instrument, [{}] * 4, meta)


def test_missing_design_columns_are_refused(instrument) -> None:
    with pytest.raises(AnalysisError, match="station for every row"):
        an.dataset_from_answers(instrument, [{}] * 4, {"weight": np.ones(4)})
    meta = _meta(4) | {"station": np.array(["a", None, "b", "c"], dtype=object)}
    with pytest.raises(AnalysisError, match="station is missing in 1 rows"):
        an.dataset_from_answers(instrument, [{}] * 4, meta)
    with pytest.raises(AnalysisError, match="3 values but the design has 4 rows"):
        an.dataset_from_answers(instrument, [{}] * 4, _meta(4) | {"weight": np.ones(3)})


def test_simulated_wave_round_trips_through_the_file_cache(instrument, tmp_path: Path) -> None:
    n = 2000
    meta = simulate_meta(n, stations=12, strata=3, seed=3)
    answers = simulate_answers(instrument, n, seed=3, station=meta["station"])
    ds = an.dataset_from_answers(instrument, answers, meta, reference_year=2025, chunk_size=700)
    assert ds.n == n and not ds.invalid and len(ds.fingerprint) == 40
    path = tmp_path / "wave.npz"
    an.save_dataset(ds, path)
    assert an.read_fingerprint(path) == ds.fingerprint
    assert an.read_fingerprint(tmp_path / "absent.npz") is None
    back = an.load_dataset(path, fingerprint=ds.fingerprint)
    assert back.codebook.to_json() == ds.codebook.to_json()
    assert back.fingerprint == ds.fingerprint and dict(back.invalid) == dict(ds.invalid)
    assert set(back.columns) == set(ds.columns)
    for code, col in ds.columns.items():
        assert back[code].dtype == col.dtype and back[code].dtype != object
        np.testing.assert_array_equal(back[code], col)
    for code, text in ds.texts.items():
        assert back.text(code).tolist() == text.tolist()
    # the same content gives the same fingerprint; a caller's fingerprint is kept
    again = an.dataset_from_answers(
        instrument,
        simulate_answers(instrument, n, seed=3, station=meta["station"]),
        meta,
        reference_year=2025,
    )
    assert again.fingerprint == ds.fingerprint
    with pytest.raises(AnalysisError, match="outdated"):
        an.load_dataset(path, fingerprint="other")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(AnalysisError, match="not a readable dataset file"):
        an.load_dataset(junk)
    assert an.read_fingerprint(junk) is None
    # design: stations as PSUs nested in strata
    des = back.design()
    assert des.n_psus == 12 and des.n_strata == 3 and des.stratum_labels == ("sec1", "sec2", "sec3")


def test_dataset_design_refuses_a_lonely_station(instrument) -> None:
    meta = _meta(4) | {"stratum": np.array(["u", "u", "u", "h"])}
    ds = an.dataset_from_answers(instrument, [{"A1": "1"}] * 4, meta)
    des = ds.design()
    with pytest.raises(an.LonelyPSUError, match="Stratum h has only one PSU"):
        an.mean(des, ds.numeric("weight"))
    assert ds.design(strata=False).n_strata == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = an.mean(ds.design(lonely_psu="adjust"), ds.numeric("weight"))
    assert np.isfinite(est.se[0])


def test_meta_may_be_given_once_the_answers_are_read(instrument) -> None:
    """A loader streaming rows learns each row's station as the answers go by."""
    n = 300
    meta = simulate_meta(n, stations=6, strata=2, seed=5)
    seen: list[str] = []

    def answers():
        for station, doc in zip(
            meta["station"], simulate_answers(instrument, n, seed=5), strict=True
        ):
            seen.append(station)
            yield doc

    def late_meta() -> dict:
        assert len(seen) == n  # called after the last answer
        return {**meta, "station": np.array(seen)}

    ds = an.dataset_from_answers(instrument, answers(), late_meta, reference_year=2025)
    direct = an.dataset_from_answers(
        instrument, simulate_answers(instrument, n, seed=5), meta, reference_year=2025
    )
    assert ds.fingerprint == direct.fingerprint
