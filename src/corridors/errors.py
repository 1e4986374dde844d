"""The one exception type for errors a user can cause (bad scenario, dataset, argument).

The CLI prints each problem of a :class:`CorridorsError` on one line and exits with
status 2; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["CorridorsError"]


class CorridorsError(Exception):
    """A problem the user can fix, with one actionable line per problem.

    Parameters
    ----------
    problems
        One message, or several (each printed on its own line).

    Examples
    --------
    >>> err = CorridorsError(["a.yaml: members[0].code: must be 3 letters"])
    >>> str(err)
    'a.yaml: members[0].code: must be 3 letters'
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
