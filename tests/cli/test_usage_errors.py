"""Usage errors and out-of-range options are one line on stderr with exit status 2, never a usage box."""

from __future__ import annotations

import pytest

from cli_support import invoke_cli


@pytest.mark.parametrize(
    ("argv", "phrase"),
    [
        (
            ["run", "unsc", "--reps", "0"],
            "corridors run: Invalid value for '--reps': Input should be greater than or equal to 1",
        ),
        (["run", "unsc", "--reps", "many"], "Invalid value for '--reps'"),
        (
            ["run", "unsc", "--seed", str(2**63)],
            "Invalid value for '--seed': Input should be less than or equal to 9223372036854775807",
        ),
        (["run", "unsc", "--seed", str(2**64 + 5)], "Invalid value for '--seed'"),
        (["trace", "unsc", "--seed", str(2**63)], "Invalid value for '--seed'"),
        (["run"], "Missing argument"),
        (["nosuch"], "No such command 'nosuch'"),
        (["reproduce", "--seed", "-1"], "Invalid value for '--seed'"),
    ],
)
def test_usage_errors_are_one_line(argv: list[str], phrase: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke_cli(argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and phrase in err, err
    assert "╭" not in err and "Usage:" not in err and "Traceback" not in err


def test_the_largest_seed_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(
        [
            "run",
            "unsc",
            "--reps",
            "1",
            "--engine",
            "reference",
            "--quiet",
            "--seed",
            str(2**63 - 1),
            "--set",
            "parameters.burn_in_days=5",
            "--set",
            "parameters.max_days=10",
        ],
        capsys,
    )
    assert code == 0 and "seed 9223372036854775807" in out


def test_help_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(["run", "--help"], capsys)
    assert code == 0 and "--reps" in out
