"""Survival numbers equal lifelines, scipy and statsmodels called directly on the same data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test, pairwise_logrank_test
from lifelines.utils import median_survival_times, restricted_mean_survival_time, to_episodic_format

from corridors.empirical import (
    DiscreteTimeLogit,
    ObservedVsSimulated,
    ResponseCox,
    ResponseSurvival,
    add_organization_covariates,
    describe_durations,
    durations_from_runs,
    load_peace_operations,
    load_runs,
    person_period_counts,
    person_periods,
)
from corridors.errors import CorridorsError


@pytest.fixture
def durations(sample_path: Path) -> pd.DataFrame:
    return load_peace_operations(sample_path).durations()


@pytest.fixture
def direct(sample_path: Path) -> pd.DataFrame:
    """The sample's durations computed here from the raw CSV, without corridors' loader."""
    raw = pd.read_csv(sample_path)
    raw = raw[raw["demand_date"].notna()].copy()
    dates = raw[["demand_date", "decision_date", "start_date"]].apply(pd.to_datetime)
    as_of = dates.max().max()
    end = dates["start_date"].fillna(as_of)
    return pd.DataFrame(
        {
            "organization": raw["org"].to_numpy(),
            "T": ((end - dates["demand_date"]).dt.days / 30.44).to_numpy(),
            "E": dates["start_date"].notna().to_numpy(),
        }
    )


def test_kaplan_meier_equals_lifelines(durations: pd.DataFrame, direct: pd.DataFrame) -> None:
    survival = ResponseSurvival().fit(durations)
    horizon = direct.groupby("organization")["T"].max().min()
    assert survival.horizon_months_ == pytest.approx(horizon)
    for organization, part in direct.groupby("organization"):
        kmf = KaplanMeierFitter().fit(part["T"], part["E"])
        row = survival.summary.loc[organization]
        assert row["median_months"] == pytest.approx(kmf.median_survival_time_)
        ci = median_survival_times(kmf.confidence_interval_)
        assert row["median_lower_months"] == pytest.approx(ci.iloc[0, 0])
        assert row["median_upper_months"] == pytest.approx(ci.iloc[0, 1])
        assert row["restricted_mean_months"] == pytest.approx(restricted_mean_survival_time(kmf, t=horizon))
        assert row["operations"] == len(part)
        assert row["started"] == part["E"].sum()
        assert row["mean_started_months"] == pytest.approx(part.loc[part["E"], "T"].mean())
        ours = survival.fitters_[organization].survival_function_.iloc[:, 0]
        pd.testing.assert_series_equal(ours, kmf.survival_function_.iloc[:, 0], check_names=False)


def test_logrank_equals_lifelines(durations: pd.DataFrame, direct: pd.DataFrame) -> None:
    survival = ResponseSurvival().fit(durations)
    overall = multivariate_logrank_test(direct["T"], direct["organization"], direct["E"])
    assert survival.logrank_overall_ is not None
    assert survival.logrank_overall_.loc[0, "test_statistic"] == pytest.approx(overall.test_statistic)
    assert survival.logrank_overall_.loc[0, "p"] == pytest.approx(overall.p_value)
    pairwise = pairwise_logrank_test(direct["T"], direct["organization"], direct["E"]).summary
    assert survival.logrank_pairwise_ is not None
    np.testing.assert_allclose(survival.logrank_pairwise_["p"].to_numpy(), pairwise["p"].to_numpy())
    eu, osce = direct[direct.organization == "EU"], direct[direct.organization == "OSCE"]
    two = logrank_test(eu["T"], osce["T"], eu["E"], osce["E"])
    assert survival.logrank_pairwise_.loc[("EU", "OSCE"), "p"] == pytest.approx(two.p_value)


def test_restricted_mean_standard_error_by_hand() -> None:
    # times 1, 2(censored), 3, 4 ; tau = 4. S: 1 -> 3/4, 3 -> 3/8. Areas from each event time to tau:
    # A(1) = 3/4*2 + 3/8*1 = 15/8 ; A(3) = 3/8*1 = 3/8. Var = A1^2*1/(4*3) + A3^2*1/(2*1).
    frame = pd.DataFrame({"organization": "X", "response_months": [1.0, 2, 3, 4], "started": [True, False, True, True]})
    row = ResponseSurvival(horizon_months=4).fit(frame).summary.loc["X"]
    assert row["restricted_mean_months"] == pytest.approx(1 + 3 / 4 * 2 + 3 / 8)
    variance = (15 / 8) ** 2 / 12 + (3 / 8) ** 2 / 2
    assert row["restricted_mean_se_months"] == pytest.approx(math.sqrt(variance))


def test_table1_reports_the_paper_beside_the_sample(durations: pd.DataFrame) -> None:
    table = ResponseSurvival().fit(durations).table1()
    assert list(table.columns) == ["AU", "EU", "OAS", "OSCE"]
    assert table.loc["Hardt 2012 Table 1 mean (70 operations)"].tolist() == [3.84, 6.17, 4.28, 4.49]


def test_cox_equals_lifelines(durations: pd.DataFrame) -> None:
    data = add_organization_covariates(durations)
    cox = ResponseCox().fit(data)
    direct = CoxPHFitter().fit(
        data[["response_months", "started", "formal_meetings_per_week", "committee_members"]],
        duration_col="response_months",
        event_col="started",
    )
    pd.testing.assert_series_equal(cox.summary["coef"], direct.summary["coef"])
    assert cox.concordance_ == pytest.approx(direct.concordance_index_)
    assert set(cox.assumptions_.index) == {"formal_meetings_per_week", "committee_members"}
    assert cox.assumptions_["p"].between(0, 1).all()


def test_organization_covariates_come_from_presets(durations: pd.DataFrame) -> None:
    from corridors.scenario import load_scenario

    data = add_organization_covariates(durations)
    for organization, part in data.groupby("organization"):
        scenario = load_scenario(str(organization).lower())
        assert (part["formal_meetings_per_week"] == scenario.formal_meetings_per_week).all()
        assert (part["committee_members"] == scenario.n_members).all()


def test_person_periods_equal_lifelines_episodic_format() -> None:
    frame = pd.DataFrame({"response_months": [0.4, 2.5, 3.0, 1.7], "started": [True, False, True, True]})
    ours = person_periods(frame)
    theirs = to_episodic_format(frame, "response_months", "started", time_gaps=1.0)
    assert len(ours) == len(theirs)
    assert ours["event"].tolist() == theirs["started"].astype(int).tolist()
    assert ours["period"].tolist() == np.ceil(theirs["stop"]).astype(int).tolist()


def test_discrete_time_logit_equals_statsmodels(durations: pd.DataFrame) -> None:
    import statsmodels.api as sm

    data = add_organization_covariates(durations)
    model = DiscreteTimeLogit(covariates=["formal_meetings_per_week"]).fit(data)
    periods = to_episodic_format(
        data[["response_months", "started", "formal_meetings_per_week"]], "response_months", "started", time_gaps=1.0
    )
    periods["period"] = np.ceil(periods["stop"])
    X = sm.add_constant(
        pd.DataFrame({"log_period": np.log(periods["period"]), "x": periods["formal_meetings_per_week"]})
    )
    direct = sm.Logit(periods["started"].astype(float), X).fit(disp=0)
    np.testing.assert_allclose(model.summary["coef"].to_numpy(), direct.params.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(model.summary["std_err"].to_numpy(), direct.bse.to_numpy(), rtol=1e-5)


def test_discrete_time_dummies_give_the_life_table() -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"response_months": rng.uniform(0.1, 4.0, 80), "started": rng.random(80) < 0.8})
    model = DiscreteTimeLogit(time_terms="dummies").fit(frame)
    periods = person_periods(frame)
    life_table = periods.groupby("period")["event"].mean()
    np.testing.assert_allclose(model.hazard_["hazard"].to_numpy(), life_table.to_numpy(), atol=1e-6)


@pytest.mark.parametrize("time_terms", ["log", "cubic", "dummies"])
def test_logit_on_counts_equals_the_logit_on_expanded_rows(time_terms: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import statsmodels.api as sm

    from corridors.empirical.survival import discrete_time

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "response_months": rng.uniform(0.1, 6.0, 300),
            "started": rng.random(300) < 0.85,
            "x": rng.integers(0, 3, 300).astype(float),
            "z": rng.normal(size=300).round(1),
        }
    )
    frame.loc[frame["response_months"] > 5, "started"] = True  # period 6 certain: dummies drop it
    periods = person_periods(frame)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fit expanded the durations into person-period rows")

    monkeypatch.setattr(discrete_time, "person_periods", refuse)
    model = DiscreteTimeLogit(covariates=["x", "z"], time_terms=time_terms).fit(frame)  # type: ignore[arg-type]
    X = model._design(periods, periods)
    rows = np.ones(len(X), dtype=bool)
    if time_terms == "dummies":
        assert "period_6" not in model.summary.index
        rows = X.pop("period_6").to_numpy() == 0
    direct = sm.Logit(periods["event"].to_numpy(float)[rows], X[rows]).fit(disp=0)
    np.testing.assert_allclose(model.summary["coef"].to_numpy(), direct.params.to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.summary["std_err"].to_numpy(), direct.bse.to_numpy(), rtol=0, atol=1e-6)
    assert model.n_person_periods_ == len(periods)
    assert len(model.person_period_counts_) < len(periods)


def test_person_period_counts_equal_the_expanded_rows_counted() -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "response_months": rng.uniform(0.0, 5.0, 200),
            "started": rng.random(200) < 0.7,
            "x": rng.integers(0, 4, 200).astype(float),
        }
    )
    expected = person_periods(frame).groupby(["period", "x"])["event"].agg(at_risk="count", events="sum").reset_index()
    ours = person_period_counts(frame, covariates=["x"]).sort_values(["period", "x"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours[["period", "x", "at_risk", "events"]], expected, check_dtype=False)


def test_describe_reports_the_person_periods(durations: pd.DataFrame) -> None:
    report = describe_durations(durations)
    assert report.logit is not None
    data = add_organization_covariates(durations)
    assert f"; {len(person_periods(data))} person-periods)" in report.text()


@pytest.mark.parametrize("months", [[0.5, 1.5, 2.5, 1.2, 3.1], [0.43, 1.41]])
def test_a_constant_covariate_is_refused_not_fitted_with_nan_errors(months: list[float]) -> None:
    """One organization: its covariates are constant, collinear with the intercept (Logit gave NaN errors)."""
    frame = pd.DataFrame({"response_months": months, "started": True, "x": 3.5, "z": 27.0})
    with pytest.raises(CorridorsError, match="design is singular"):
        DiscreteTimeLogit(covariates=["x", "z"]).fit(frame)


def test_dummies_without_events_explain_themselves() -> None:
    frame = pd.DataFrame({"response_months": [0.5, 2.5, 2.6], "started": [True, True, True]})
    with pytest.raises(CorridorsError, match=r"no operation starts in period\(s\) 2"):
        DiscreteTimeLogit(time_terms="dummies").fit(frame)


def _runs() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    for scenario, scale in (("eu", 6.0), ("osce", 4.0)):
        for r in range(60):
            decided = bool(rng.random() < 0.9)
            months = float(rng.gamma(2.0, scale / 2)) if decided else float("nan")
            rows.append(
                {
                    "scenario": scenario,
                    "scenario_hash": "h" + scenario,
                    "replicate": r,
                    "decided": decided,
                    "response_months": months,
                    "horizon_days": 730,
                    "pivotal_member": "",
                }
            )
    return pd.DataFrame(rows)


def test_durations_from_runs_censor_at_the_horizon() -> None:
    runs = _runs()
    durations = durations_from_runs(runs)
    undecided = ~runs["decided"]
    assert (durations.loc[undecided, "response_months"] == 730 / 30.44).all()
    assert not durations.loc[undecided, "started"].any()
    assert (durations.loc[~undecided, "response_months"] == runs.loc[~undecided, "response_months"]).all()


def test_variants_of_a_scenario_are_not_pooled_silently() -> None:
    runs = _runs()
    runs.loc[runs.index[:5], "scenario_hash"] = "another"
    with pytest.raises(CorridorsError, match="scenario 'eu' has 2 different scenario_hash values"):
        durations_from_runs(runs)
    assert len(durations_from_runs(runs, pool_variants=True)) == len(runs)


def test_runs_from_a_duckdb_store(tmp_path: Path) -> None:
    import duckdb

    runs = _runs().assign(extra_column=1)
    path = tmp_path / "store.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table runs as select * from runs")
    loaded = load_runs(path)
    pd.testing.assert_frame_equal(durations_from_runs(loaded), durations_from_runs(runs), check_dtype=False)
    with duckdb.connect(str(tmp_path / "other.duckdb")) as con:
        con.execute("create table designs as select 1 as x")
    with pytest.raises(CorridorsError, match="has no table 'runs'"):
        load_runs(tmp_path / "other.duckdb")


def test_observed_vs_simulated_equals_lifelines_and_scipy(durations: pd.DataFrame) -> None:
    from scipy.stats import ks_2samp

    simulated = durations_from_runs(_runs())
    comparison = ObservedVsSimulated().fit(durations, simulated)
    assert comparison.pairs_ == [("EU", "eu"), ("OSCE", "osce")]
    for organization, scenario in comparison.pairs_:
        a = durations[durations.organization == organization]
        b = simulated[simulated.organization == scenario]
        lr = logrank_test(a.response_months, b.response_months, a.started, b.started)
        ks = ks_2samp(a.loc[a.started, "response_months"], b.loc[b.started, "response_months"])
        row = comparison.summary.loc[organization]
        assert row["logrank_p"] == pytest.approx(lr.p_value)
        assert row["ks_statistic"] == pytest.approx(ks.statistic)
        assert row["ks_p"] == pytest.approx(ks.pvalue)


def test_observed_vs_simulated_needs_a_pair(durations: pd.DataFrame) -> None:
    simulated = durations_from_runs(_runs().assign(scenario="unsc", scenario_hash="hunsc"))
    with pytest.raises(CorridorsError, match="--match"):
        ObservedVsSimulated().fit(durations, simulated)
    comparison = ObservedVsSimulated(match={"AU": "unsc"}).fit(durations, simulated)
    assert comparison.pairs_ == [("AU", "unsc")]


def test_describe_runs_every_model_on_the_sample(durations: pd.DataFrame) -> None:
    report = describe_durations(durations)
    assert report.cox is not None and report.logit is not None and not report.skipped
    text = report.text()
    for phrase in ("Table 1", "Log-rank", "Cox", "Proportional-hazards", "Discrete-time logit"):
        assert phrase in text


def test_plot_survival_returns_axes(durations: pd.DataFrame, tmp_path: Path) -> None:
    from matplotlib.axes import Axes

    survival = ResponseSurvival().fit(durations)
    ax = survival.plot_survival()
    assert isinstance(ax, Axes)
    assert len(ax.get_legend().get_texts()) == 4
    report = describe_durations(durations, covariates=())
    path = report.plot(tmp_path / "km.png")
    assert path.stat().st_size > 10_000
