"""The batch engine's tie matrix: stored strengths, block sums, decay as one factor.

Positive strengths are stored divided by ``ties.scale[0]``, the product of every day's decay
factor so far, so that daily decay (7.10) is one multiplication; each member's positive
ties are summed in blocks of eight colleagues for the weighted partner draw.
"""

from __future__ import annotations

from corridors.engines.batch.state import BLOCK_SHIFT, Ties
from corridors.engines.jit_options import jit_only
from corridors.engines.rules import grown_trust

__all__ = ["decay_trust", "rebuild_ties", "routine_meeting", "row_sums", "set_trust", "store_tie", "trust"]


@jit_only
def trust(ties: Ties, i: int, j: int) -> float:
    """The tie strength w between i and j."""
    value = ties.stored[i, j]
    return value * ties.scale[0] if value > 0.0 else value


@jit_only
def store_tie(ties: Ties, i: int, j: int, stored: float) -> None:
    """Set the tie i-j (both directions) to a value in stored units, keeping sums and counts current."""
    for side in range(2):
        a = i if side == 0 else j
        b = j if side == 0 else i
        old = ties.stored[a, b]
        delta = max(stored, 0.0) - max(old, 0.0)
        ties.positive_sum[a] += delta
        ties.block_sum[a, b >> BLOCK_SHIFT] += delta
        if (old > 0.0) != (stored > 0.0):
            change = 1 if stored > 0.0 else -1
            ties.degree[a] += change
            ties.block_count[a, b >> BLOCK_SHIFT] += change
        if (old < 0.0) != (stored < 0.0):
            ties.dislikes[a] += 1 if stored < 0.0 else -1
        ties.stored[a, b] = stored


@jit_only
def set_trust(ties: Ties, i: int, j: int, value: float) -> None:
    """Set the tie i-j to strength ``value`` (both directions)."""
    store_tie(ties, i, j, value / ties.scale[0] if value > 0.0 else value)


@jit_only
def row_sums(ties: Ties, a: int) -> None:
    """Exact positive sums and counts of row a, in total and by block (drops accumulated rounding)."""
    n_blocks = ties.block_sum.shape[1]
    total = 0.0
    degree = 0
    for block in range(n_blocks):
        part = 0.0
        count = 0
        for b in range(block << BLOCK_SHIFT, (block + 1) << BLOCK_SHIFT):
            part += max(ties.stored[a, b], 0.0)
            count += ties.stored[a, b] > 0.0
        ties.block_sum[a, block] = part
        ties.block_count[a, block] = count
        total += part
        degree += count
    ties.positive_sum[a] = total
    ties.degree[a] = degree


@jit_only
def rebuild_ties(ties: Ties) -> None:
    """Sums of positive ties and counts of ties and dislikes, from the matrix."""
    n = ties.stored.shape[0]
    for a in range(n):
        dislikes = 0
        for b in range(n):
            dislikes += ties.stored[a, b] < 0.0
        ties.dislikes[a] = dislikes
        row_sums(ties, a)


@jit_only
def routine_meeting(ties: Ties, formal_trust_gain: float) -> None:
    """Colleagues, not friends: every positive tie grows by formal_trust_gain (7.8).

    In stored units each positive tie s becomes grown_trust(s * scale, gain) / scale, which
    is linear in s, so the block sums follow from the counts without adding rows up again.
    """
    scale = ties.scale[0]
    keep = grown_trust(1.0, formal_trust_gain) - grown_trust(0.0, formal_trust_gain)  # slope in w
    add = grown_trust(0.0, formal_trust_gain) / scale  # intercept, in stored units
    for a in range(ties.stored.shape[0]):
        for b in range(ties.stored.shape[1]):
            value = ties.stored[a, b]
            ties.stored[a, b] = value * keep + add if value > 0.0 else value
        for block in range(ties.block_sum.shape[1]):
            ties.block_sum[a, block] = ties.block_sum[a, block] * keep + add * ties.block_count[a, block]
        ties.positive_sum[a] = ties.positive_sum[a] * keep + add * ties.degree[a]


@jit_only
def decay_trust(ties: Ties, trust_decay: float) -> None:
    """Every positive tie decays by trust_decay (7.10): one factor; renormalized when it gets small."""
    ties.scale[0] *= 1.0 - trust_decay
    if ties.scale[0] < 1e-3:
        n = ties.stored.shape[0]
        for i in range(n):
            for j in range(n):
                if ties.stored[i, j] > 0.0:
                    ties.stored[i, j] *= ties.scale[0]
        ties.scale[0] = 1.0
        rebuild_ties(ties)
