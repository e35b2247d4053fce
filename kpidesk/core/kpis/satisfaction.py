"""The satisfaction KPIs: NPS and the number of responses."""

from __future__ import annotations

import numpy as np

from kpidesk.core.cells import (
    Cells,
)
from kpidesk.core.engine import (
    Ctx,
    Intervals,
    Values,
    kpi,
    ratio,
)
from kpidesk.core.kpis.common import _labels, _values

# -- surveys ----------------------------------------------------------------------------------


def _survey_cells(ctx: Ctx) -> Cells:
    def build() -> Cells:
        t = ctx.table("surveys")
        score = t.numbers("score")
        valid = ~np.isnan(score)
        score = np.where(valid, score, 0.0)
        return Cells.build(
            t.days("date"),
            ctx.mask("surveys") & valid,
            {
                "n": np.ones(t.n),
                "promoters": score >= 9,
                "detractors": score <= 6,
            },
            ctx.member_codes("surveys"),
        )

    cells: Cells = ctx.prepared("surveys.cells", build)
    return cells


@kpi("nps")
def nps(ctx: Ctx, iv: Intervals) -> Values:
    n, promoters, detractors = _survey_cells(ctx).totals(iv, "n", "promoters", "detractors")
    return _values(ratio(promoters - detractors, n, 100.0), _labels(ctx.member_codes("surveys"))[0], n)


@kpi("nps_responses")
def nps_responses(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_survey_cells(ctx).totals(iv, "n")[0], _labels(ctx.member_codes("surveys"))[0])
