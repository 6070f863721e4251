"""The disclosure audit's linear system as one HiGHS model, solved again and again with another objective.

Why HiGHS's own Python interface (highspy) and not `scipy.optimize.linprog`, which runs the same solver: the audit
and the complement search ask for the minimum or maximum of thousands of objectives over the same few hundred
unknowns and facts. linprog checks and converts the whole problem on every call (sparse matrices, bounds, options):
on the demo region that was 16 of every 21 seconds, against 5 in the solver itself (cProfile, 5,433 problems of
three months). Here the model is passed once per set of facts; each solve changes only the objective, and HiGHS
goes on from the basis of the previous solve (a warm start), so the solver's own time falls as well.

`highspy._core._Highs` (exported by highspy as `_Highs`) is the solver class without the Python-side callbacks:
`highspy.Highs()` switches them on in its constructor, which prints HiGHS's banner to standard output before
logging can be turned off.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Row = dict[int, float]  # column -> coefficient


class InconsistentSystem(RuntimeError):
    """The facts contradict each other: a cell's shown numbers do not add up (a bug upstream, never a finding)."""


class LinearSystem:
    """Unknowns x (lower <= x <= upper), rows equal to a value and rows bounded from above."""

    def __init__(
        self, lower: np.ndarray, upper: float, equalities: list[tuple[Row, float]], bounds: list[tuple[Row, float]]
    ) -> None:
        import highspy  # imported where it is used: a worker's boot does not need the solver
        from highspy._core import _Highs

        self._optimal = highspy.HighsModelStatus.kOptimal
        size = len(lower)
        rows = equalities + bounds
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = size, len(rows)
        model.col_cost_ = np.zeros(size)
        model.col_lower_ = np.where(np.isneginf(lower), -highspy.kHighsInf, lower)
        model.col_upper_ = np.full(size, upper)
        model.row_lower_ = np.array([rhs for _, rhs in equalities] + [-highspy.kHighsInf] * len(bounds))
        model.row_upper_ = np.array([rhs for _, rhs in rows])
        starts, columns, values = [0], [], []
        for row, _rhs in rows:
            columns += list(row)
            values += list(row.values())
            starts.append(len(columns))
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.num_col_, model.a_matrix_.num_row_ = size, len(rows)
        model.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        model.a_matrix_.index_ = np.array(columns, dtype=np.int32)
        model.a_matrix_.value_ = np.array(values, dtype=np.float64)
        self._solver: Any = _Highs()
        self._solver.setOptionValue("output_flag", False)
        self._solver.passModel(model)
        self._all = np.arange(size, dtype=np.int32)

    def minimise(self, costs: np.ndarray) -> np.ndarray:
        """Return a point of the system where costs · x is smallest.

        :raises InconsistentSystem: when no point satisfies every fact.
        """
        self._solver.changeColsCost(len(self._all), self._all, costs)
        self._solver.run()
        status = self._solver.getModelStatus()
        if status != self._optimal:
            reason = self._solver.modelStatusToString(status)
            raise InconsistentSystem(f"disclosure audit: the system of shown cells is inconsistent ({reason})")
        return np.asarray(self._solver.getSolution().col_value)
