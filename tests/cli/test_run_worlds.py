"""``corridors run --save-worlds / --from-worlds``: crisis-phase policies on the same routine networks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_support import invoke_cli
from corridors.engines.batch import run_batch
from corridors.scenario import load_scenario

SHORT = ["--set", "parameters.burn_in_days=30", "--set", "parameters.max_days=90"]


def test_save_then_run_a_policy_from_the_worlds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    worlds, base_rows, policy_rows = tmp_path / "w.npz", tmp_path / "base.csv", tmp_path / "policy.csv"
    code, _, err = invoke_cli(
        ["run", "unsc", "--reps", "6", "--seed", "2", *SHORT, "--save-worlds", str(worlds), "--out", str(base_rows)],
        capsys,
    )
    assert code == 0, err
    code, _, err = invoke_cli(
        [
            "run",
            "unsc",
            *SHORT,
            "--set",
            "parameters.posture=0.4",
            "--from-worlds",
            str(worlds),
            "--out",
            str(policy_rows),
        ],
        capsys,
    )
    assert code == 0, err
    base = load_scenario("unsc", ["parameters.burn_in_days=30", "parameters.max_days=90"])
    policy = load_scenario("unsc", ["parameters.burn_in_days=30", "parameters.max_days=90", "parameters.posture=0.4"])
    expected = run_batch(policy, replications=6, seed=2, stream_key=base.content_hash())
    got = pd.read_csv(policy_rows)
    assert np.array_equal(got["decision_day"].to_numpy(), expected["decision_day"].to_numpy(), equal_nan=True)
    assert list(got["friends_mean"]) == list(pd.read_csv(base_rows)["friends_mean"])


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--set", "parameters.trust_decay=0.01"], "another routine"),
        (["--seed", "3"], "seed"),
        (["--engine", "reference"], "batch engine"),
    ],
)
def test_worlds_that_do_not_fit_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    worlds = tmp_path / "w.npz"
    assert invoke_cli(["run", "unsc", "--reps", "3", *SHORT, "--save-worlds", str(worlds)], capsys)[0] == 0
    code, _, err = invoke_cli(["run", "unsc", *SHORT, *extra, "--from-worlds", str(worlds)], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    code, _, err = invoke_cli(["run", "unsc", "--from-worlds", str(tmp_path / "none.npz")], capsys)
    assert code == 2 and "no such file" in err
