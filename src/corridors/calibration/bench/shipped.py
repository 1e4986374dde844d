"""The bench outputs shipped in the package, and any bench output folder, read back for the report.

The package ships the outputs of one bench run in ``corridors/calibration/data/bench/``
(:func:`shipped_bench_folder`), as it ships today's calibration: the scorecard, the patterns,
each fitted theory's parameters, moments, screen, leave-one-out, ablations and predictive
checks, its parameter file (``fit_T.yaml``), the best surviving theory's (``best.yaml``), and
``manifest.yaml``: the bench spec's name, the size and its replications, the seed, which
theories were run, fitted, not built on this model or not run at this size, the corridors
version, the date, the command and each theory's wall time.

:func:`ship_bench_outputs` writes such a folder from a :class:`~.run.BenchResult` (the whole
folder replaced at once: the old one stays until the new one is complete);
:func:`load_bench_outputs` reads one back (:class:`BenchOutputs`);
``python benchmarks/bench.py --size medium --ship`` or ``corridors calibrate --bench --ship``
regenerate the shipped one (docs/CALIBRATION.md, "Shipping the bench").
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from corridors.calibration.bench.run import BenchResult

__all__ = [
    "MANIFEST_FORMAT",
    "NOT_BUILT",
    "NOT_RUN",
    "BenchOutputs",
    "bench_manifest",
    "has_bench_outputs",
    "load_bench_outputs",
    "ship_bench_outputs",
    "shipped_bench_folder",
    "theory_state",
]

MANIFEST_FORMAT = "corridors-bench-outputs/1"
NOT_BUILT = "not built on this model"
NOT_RUN = "not run at this size"

_SHIPPED_PREFIXES = (
    "parameters_",
    "moments_",
    "screen_summary_",
    "leave_one_out_",
    "ablations_",
    "predictive_check_",
    "fit_",
)
_SHIPPED_NAMES = ("scorecard.csv", "patterns.csv", "timings.csv", "best.yaml")


def shipped_bench_folder() -> Path:
    """The folder of the bench outputs the package ships (``corridors/calibration/data/bench``)."""
    return Path(__file__).resolve().parent.parent / "data" / "bench"


def theory_state(status: str) -> str:
    """``fitted``, :data:`NOT_BUILT` or :data:`NOT_RUN` from a scorecard's ``status`` cell.

    Examples
    --------
    >>> theory_state("fitted"), theory_state("unavailable: this model's schema refuses ...")
    ('fitted', 'not built on this model')
    """
    if status == "fitted":
        return "fitted"
    if status.startswith("unavailable"):
        return NOT_BUILT
    return NOT_RUN


def bench_manifest(result: BenchResult, *, command: str = "") -> dict[str, Any]:
    """What a shipped folder says of its run: spec, size, seed, theories, version, date, command, wall times."""
    from corridors._version import __version__

    run = set(result.theories)
    theories = []
    for theory in result.spec.theories:
        if theory.name in run:
            fitted = result.theories[theory.name].fit is not None
            state = "fitted" if fitted else NOT_BUILT
            reason = "" if fitted else result.theories[theory.name].status.reason
        else:
            state, reason = NOT_RUN, "left out of this run (--theory)"
        theories.append(
            {
                "name": theory.name,
                "label": theory.title,
                "state": state,
                **({"reason": reason} if reason else {}),
                **({"seconds": round(result.seconds[theory.name], 1)} if theory.name in result.seconds else {}),
            }
        )
    return {
        "format": MANIFEST_FORMAT,
        "bench": result.spec.name,
        "size": result.size_name,
        "replications": result.size.replications,
        "size_settings": result.size.model_dump(mode="json"),
        "seed": result.spec.seed,
        "theories_available": [t["name"] for t in theories if t["state"] == "fitted"],
        "theories": theories,
        "seconds_total": round(sum(result.seconds.values()), 1),
        "code_version": __version__,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
    }


def _shipped(name: str) -> bool:
    return name in _SHIPPED_NAMES or (
        name.startswith(_SHIPPED_PREFIXES) and name.endswith((".csv", ".yaml")) and not name.startswith("trace_")
    )


def ship_bench_outputs(result: BenchResult, folder: str | Path | None = None, *, command: str = "") -> list[Path]:
    """Replace ``folder`` (default: the package's) with the outputs the report needs and ``manifest.yaml``.

    The new folder is written beside the old one and swapped in when complete, so an
    interrupted ship leaves the old outputs as they were. Returns the files shipped.
    """
    import yaml

    from corridors.calibration.bench.run import write_bench_outputs

    target = Path(folder) if folder is not None else shipped_bench_folder()
    if target.exists() and not target.is_dir():
        raise CorridorsError(f"{target}: is a file, not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the package's folder is read by every user
        written = write_bench_outputs(result, staging)
        for path in written:
            if not _shipped(path.name):
                path.unlink()
        (staging / "manifest.yaml").write_text(
            yaml.safe_dump(bench_manifest(result, command=command), sort_keys=False), encoding="utf-8"
        )
        old = target.with_name(f".{target.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        staging.rename(target)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(target.iterdir())


def has_bench_outputs(folder: str | Path | None = None) -> bool:
    """Whether ``folder`` (default: the package's) holds a bench's scorecard."""
    return ((Path(folder) if folder is not None else shipped_bench_folder()) / "scorecard.csv").is_file()


@dataclass
class BenchOutputs:
    """A bench's outputs read back: the scorecard, the patterns, the manifest and each theory's tables."""

    folder: Path
    scorecard: pd.DataFrame
    patterns: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    shipped: bool = False

    @property
    def best_file(self) -> Path | None:
        """The best surviving theory's parameter file (``best.yaml``), if a theory was fitted."""
        path = self.folder / "best.yaml"
        return path if path.is_file() else None

    def table(self, kind: str, theory: str) -> pd.DataFrame:
        """One theory's table: ``parameters``, ``moments``, ``leave_one_out``, ``ablations``, ``predictive_check``.

        A table the run did not write (a theory not fitted, a size without leave-one-out) is empty.
        """
        path = self.folder / f"{kind}_{theory}.csv"
        return pd.read_csv(path) if path.is_file() else pd.DataFrame()

    def theories(self) -> pd.DataFrame:
        """Every theory of the bench spec: name, label and state (fitted, not built on this model, not run).

        From the manifest when there is one, else from the scorecard's rows.
        """
        listed = self.manifest.get("theories")
        if listed:
            return pd.DataFrame(
                [{"theory": t["name"], "label": t.get("label", t["name"]), "state": t["state"]} for t in listed]
            )
        return pd.DataFrame(
            {
                "theory": self.scorecard["theory"],
                "label": self.scorecard["label"],
                "state": [theory_state(str(s)) for s in self.scorecard["status"]],
            }
        )

    def describe(self) -> str:
        """Where the outputs come from, in one phrase: bench, size, replications, seed, version, date."""
        m = self.manifest
        where = "the bench outputs shipped in the package" if self.shipped else f"the bench run in {self.folder}"
        if not m:
            return where
        return (
            f"{where} (bench {m.get('bench', '?')}, size {m.get('size', '?')}: {m.get('replications', '?')} "
            f"replications per organization and evaluation, seed {m.get('seed', '?')}, corridors "
            f"{m.get('code_version', '?')}, {m.get('created', '?')})"
        )


def load_bench_outputs(folder: str | Path | None = None) -> BenchOutputs:
    """Read a bench's outputs (default: the package's); a folder without ``scorecard.csv`` is an error."""
    import yaml

    from corridors.calibration.bench.report import scorecard_table

    path = Path(folder) if folder is not None else shipped_bench_folder()
    if not has_bench_outputs(path):
        raise CorridorsError(f"{path}: no bench outputs (scorecard.csv); run corridors calibrate --bench first")
    manifest: dict[str, Any] = {}
    if (path / "manifest.yaml").is_file():
        loaded = yaml.safe_load((path / "manifest.yaml").read_text(encoding="utf-8"))
        if not isinstance(loaded, dict) or loaded.get("format") != MANIFEST_FORMAT:
            raise CorridorsError(f"{path / 'manifest.yaml'}: not a bench manifest (format: {MANIFEST_FORMAT})")
        manifest = loaded
    patterns = pd.read_csv(path / "patterns.csv") if (path / "patterns.csv").is_file() else pd.DataFrame()
    if len(patterns) and "is_input" in patterns:
        patterns["is_input"] = patterns["is_input"].eq(True)
    return BenchOutputs(
        folder=path,
        scorecard=scorecard_table(path),
        patterns=patterns,
        manifest=manifest,
        shipped=folder is None or path.resolve() == shipped_bench_folder().resolve(),
    )
