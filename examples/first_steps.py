# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # First steps with corridors in Python
#
# A notebook kept as text (jupytext, py:percent): open it with `jupytext --to notebook
# examples/first_steps.py`, or run it as a script. The test suite runs it, so it cannot rot.
# Sizes are small so it runs in seconds; raise `replications` for real work.

# %%
import tempfile
from pathlib import Path

import corridors
from corridors.empirical import example_path
from corridors.empirical.networks import ties_from_weights
from corridors.engines import routine_network

# %% [markdown]
# ## A scenario, changed by dotted path
# The EU's Political and Security Committee with half a formal meeting a week instead of 3.5.

# %%
eu = corridors.load("eu", formal_meetings_per_week=0.5, **{"parameters.burn_in_days": 60})
print(eu.name, eu.formal_meetings_per_week, eu.n_members)

# %% [markdown]
# ## Replications, and a survival-ready summary
# One row per replication. Undecided runs are right-censored at the horizon: the summary
# gives the decided share, the Kaplan-Meier median (95% interval) and the restricted mean.

# %%
rows = corridors.run(eu, replications=20, seed=1)
summary = corridors.summarize(rows)
print(summary[["value", "lower", "upper"]].head(4))
assert len(rows) == 20 and summary.loc["replications", "value"] == 20

# %% [markdown]
# ## Censored durations for your own survival models
# `censored_durations` gives `duration_days` and `event` per run (lifelines' two columns).

# %%
durations = corridors.censored_durations(rows)
print(durations.head(3))

# %% [markdown]
# ## Kaplan-Meier per organization, and the observed data beside the simulated

# %%
observed = corridors.load_operations(example_path("peace_ops_sample.csv"))
simulated = corridors.durations_from_runs(rows.assign(scenario="eu"))
km = corridors.ResponseSurvival().fit(observed.durations())
print(km.summary[["operations", "median_months", "restricted_mean_months"]])
comparison = corridors.ObservedVsSimulated().fit(observed.durations(), simulated)
print(comparison.summary.T)

# %% [markdown]
# ## The routine network at day 0 and voting power

# %%
codes, weights = routine_network(eu, seed=1)
network = corridors.RoutineNetwork().fit(ties_from_weights(codes, weights), eu)
print(network.summary.head())
power = corridors.VotingPower().fit(eu, runs=rows)
print(power.text().splitlines()[0])

# %% [markdown]
# ## A sweep into a DuckDB store
# Two design points of five replications; the store is named after the spec unless given.

# %%
spec = {"name": "meetings", "base": "unsc", "replications": 5, "seed": 7, "set": ["parameters.burn_in_days=10"],
        "factors": [{"path": "formal_meetings_per_week", "values": [0.5, 3.5]}]}
store = Path(tempfile.mkdtemp()) / "sweep_meetings.duckdb"
report = corridors.sweep(spec, store=store)
print(report.describe())
from corridors.experiments import summarize  # noqa: E402

print(summarize(report.store).points[["point_id", "formal_meetings_per_week", "runs", "km_median_months"]])
