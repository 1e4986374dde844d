"""Mutation check: do the engine tests catch a one-line change to the batch engine alone?

Each mutation edits one line of ``src/corridors/engines/batch/`` (each in another mechanism)
in a temporary copy of the project, runs the lockstep tests and the exact whole-run
comparisons there (the statistical tests are slower and add nothing a mutation could hide
from these), and records whether they failed. Prints one line per mutation and the count caught.

    python benchmarks/mutations.py [--only N ...]

Takes about a minute per mutation (the kernel recompiles each time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MUTATIONS: list[tuple[str, str, str, str]] = [
    # (mechanism, file under engines/batch, original line fragment, mutated fragment)
    (
        "gossip passes second-hand news",
        "informal.py",
        "forward = third & ((t_source == OWN) | (t_source == CONTACT) | (t_source == CAUCUS))",
        "forward = third & ((t_source == OWN) | (t_source == CONTACT) | (t_source == CAUCUS) | (t_source == GOSSIP))",
    ),
    (
        "disclosure one-sided",
        "informal.py",
        "learn(knowledge, i, j, members.lo[j], members.hi[j], members.version[j], CONTACT)",
        "learn(knowledge, i, j, members.lo[j], members.hi[j], members.version[j] - 1, CONTACT)",
    ),
    ("lobbying doubled on one side", "informal.py", "members.pressure[j] += w", "members.pressure[j] += 2.0 * w"),
    ("trust growth 10% faster", "informal.py", "grown_trust(w, p.trust_gain)", "grown_trust(w, 1.1 * p.trust_gain)"),
    (
        "partner choice needs two ties",
        "informal.py",
        "if ties.degree[i] > 0 and next_double(state) < p.friend_choice:",
        "if ties.degree[i] > 1 and next_double(state) < p.friend_choice:",
    ),
    (
        "rotation keeps ties to everyone",
        "informal.py",
        "p.rotation_keep if caucus_mates[i, j] else 0.0",
        "p.rotation_keep",
    ),
    ("first call: nobody calls home", "informal.py", "members.called_home[i] = 1", "members.called_home[i] = 0"),
    (
        "entrenchment inverted",
        "crisis.py",
        "entrenched = s.entrenchment and members.rejected_in_public[i] == 1\n        chance = widening_chance(",
        "entrenched = s.entrenchment and members.rejected_in_public[i] == 0\n        chance = widening_chance(",
    ),
    ("caucus reporting off", "crisis.py", "if s.caucus_reporting:", "if s.caucus_reporting and False:"),
    (
        "harmonization pressure halved",
        "crisis.py",
        "harmonization_pressure(p.caucus_pressure, members.caucus_trust[m])",
        "harmonization_pressure(0.5 * p.caucus_pressure, members.caucus_trust[m])",
    ),
    (
        "own caucus schedule shifted a day",
        "crisis.py",
        "(day - world.caucus_phase_days[c]) % every == 0",
        "(day - world.caucus_phase_days[c]) % every == 1",
    ),
    ("belief step doubled", "crisis.py", "x, accepted, side, p.belief_step", "x, accepted, side, 2.0 * p.belief_step"),
    (
        "agency slack ignores decay",
        "crisis.py",
        "return agency_slack(ties.positive_sum[k] * ties.scale[0], p.agency_max, p.agency_half)",
        "return agency_slack(ties.positive_sum[k], p.agency_max, p.agency_half)",
    ),
    (
        "bridges half as likely",
        "crisis.py",
        "bridge_chance_factor(w, p.bridge_rate)",
        "bridge_chance_factor(w, 0.5 * p.bridge_rate)",
    ),
    (
        "redrafting twice as likely",
        "crisis.py",
        "next_double(state) < p.redraft_prob",
        "next_double(state) < 2.0 * p.redraft_prob",
    ),
    (
        "routine meetings forget the decay factor",
        "ties.py",
        "add = grown_trust(0.0, formal_trust_gain) / scale",
        "add = grown_trust(0.0, formal_trust_gain)",
    ),
    (
        "informal share ignores gossip",
        "kernel.py",
        "informal += belief == CONTACT or belief == GOSSIP or belief == CAUCUS",
        "informal += belief == CONTACT or belief == CAUCUS",
    ),
    (
        "peers cascade forgets the decay factor",
        "crisis.py",
        "ties.scale[0],\n            x,\n            p.agency_max",
        "1.0,\n            x,\n            p.agency_max",
    ),
    (
        "peers: rejection distance from the network slack",
        "crisis.py",
        "e = members.vote_slack[k] if s.peer_agency else slack(p, s, ties, k)",
        "e = slack(p, s, ties, k)",
    ),
    # model v3, theory.convening: consensus and the v3 row columns (issue 20)
    (
        "convening: the forecast ignores the slack",
        "crisis.py",
        "theory.network_slack[k] = slack(p, s, ties, k)",
        "theory.network_slack[k] = 0.0",
    ),
    (
        "convening: public red lines unknown to the setter",
        "crisis.py",
        "and (world.public_red_lines[sub] or k == setter)",
        "and k == setter",
    ),
    (
        "convening: beliefs not updated before the forecast",
        "crisis.py",
        "    update_beliefs_from_knowledge(committee, setter_row)\n"
        "    x = proposal(beliefs.lo, beliefs.hi, members.salience)\n    n =",
        "    x = proposal(beliefs.lo, beliefs.hi, members.salience)\n    n =",
    ),
    (
        "convening: the notice window not checked",
        "crisis.py",
        "for d in range(day, held + 1):",
        "for d in range(held, held + 1):",
    ),
    (
        "convening: the meeting a day late",
        "crisis.py",
        "world.regular_meetings[held + p.burn_in_days] = CONVENED",
        "world.regular_meetings[held + 1 + p.burn_in_days] = CONVENED",
    ),
    (
        "convening: the tally counts nothing",
        "crisis.py",
        "theory.convened_meetings[0] += 1",
        "theory.convened_meetings[0] += 0",
    ),
    (
        "peers: cascade rounds not recorded",
        "crisis.py",
        "committee.theory.cascade_rounds[0] = join_peers(",
        "join_peers(",
    ),
    (
        "first calls: the tally counts the callers home",
        "informal.py",
        "first_callers[0] = count",
        "first_callers[0] = n - count",
    ),
]

MUTATIONS += [
    # theory.capitals: informed (issue 20, T3)
    (
        "informed: the estimate forgets first instructions (version 0)",
        "crisis.py",
        "members.known[j] = knowledge.code[i, j] >> SOURCE_BITS > 0",
        "members.known[j] = knowledge.code[i, j] >> SOURCE_BITS > 1",
    ),
    (
        "informed: the boost ignores kappa",
        "crisis.py",
        "p.inform_effect, kappa, excluded,",
        "p.inform_effect, 1.0, excluded,",
    ),
    (
        "informed: the widening goes toward the failed proposal",
        "crisis.py",
        "toward = x_hat if excluded else last_x",
        "toward = last_x",
    ),
    ("informed: every widening counted as informed", "crisis.py", "return True, excluded", "return True, True"),
]

MUTATIONS += [
    # the formal meeting's vote through rules.vote_carries (both engines call the rule; this changes the batch's call)
    (
        "vote: the batch's formal meeting needs one acceptance fewer",
        "crisis.py",
        "members.accepts, world.quota, world.veto,",
        "members.accepts, world.quota - 1, world.veto,",
    ),
]

TESTS = [
    "tests/engines/test_lockstep.py",
    "tests/engines/test_theory.py",
    "tests/engines/test_convening.py",
    "tests/equivalence",
    "-k",
    "lockstep or identical",
]


def run_one(index: int, workdir: Path) -> bool:
    """Apply mutation ``index`` in a fresh copy and return whether the tests caught it."""
    mechanism, name, original, mutated = MUTATIONS[index]
    copy = workdir / f"m{index}"
    shutil.copytree(ROOT / "src", copy / "src")
    shutil.copytree(ROOT / "tests", copy / "tests")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "src" / "corridors" / "engines" / "batch" / name
    text = target.read_text()
    if text.count(original) != 1:
        raise SystemExit(f"mutation {index} ({mechanism}): '{original}' found {text.count(original)} times in {name}")
    target.write_text(text.replace(original, mutated))
    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "NUMBA_CACHE_DIR": str(copy / "numba_cache")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", *TESTS],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    shutil.rmtree(copy, ignore_errors=True)
    return result.returncode != 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", type=int, nargs="*", help="run only these mutation numbers")
    args = parser.parse_args()
    chosen = args.only if args.only else range(len(MUTATIONS))
    caught = 0
    with tempfile.TemporaryDirectory() as tmp:
        for index in chosen:
            hit = run_one(index, Path(tmp))
            caught += hit
            mechanism, name = MUTATIONS[index][:2]
            print(f"{index:2d}  {'caught' if hit else 'MISSED':6s}  {name:12s}  {mechanism}", flush=True)
    print(f"caught {caught} of {len(list(chosen))} one-line changes to the batch engine")


if __name__ == "__main__":
    main()
