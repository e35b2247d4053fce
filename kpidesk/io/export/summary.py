"""The summary workbook a manager sends to the board (SPEC §6): :func:`export_summary`, its
Summary sheet and one sheet per breakdown dimension (the leaderboards).

The workbook, from the same engine results the window shows, holds:

* **Synthèse / Summary** - each KPI over the whole range: value, unit, comparison, change
  (in the KPI's own unit), target, attainment (against pacing), and its notes;
* **Tendances / Trends** - the KPI × period table, partial periods in italics, and native
  line charts (:mod:`kpidesk.io.export.trends`);
* one **Par … / By …** sheet per breakdown dimension - the total then every member, best first;
* **Définitions / Definitions** and **Paramètres / Settings** (:mod:`kpidesk.io.export.definitions`).

Every figure comes from :func:`kpidesk.core.present.present`, so the workbook, the cards and
``kpis --json`` agree. Percent values (0–100 in the engine) are written as real Excel
percentages (a fraction with a ``%`` format): ``12,5 %`` in a cell is the number 0.125.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from kpidesk import i18n
from kpidesk.core.catalog import ADDITIVE, THEME_NAMES, KpiDef
from kpidesk.core.engine import Engine, KpiRow, Query, Result
from kpidesk.core.formatting import symbol as currency_symbol
from kpidesk.core.kinds import DIMENSIONS
from kpidesk.core.present import leaderboard
from kpidesk.errors import Cancelled, UserError
from kpidesk.i18n import _
from kpidesk.io.export.context import Colours, Context
from kpidesk.io.export.definitions import definitions_sheet, document_properties, settings_sheet
from kpidesk.io.export.look import (
    HEADER_ROW,
    CancelledCallback,
    Look,
    ProgressCallback,
    Words,
    cell_value,
    change_format,
    change_value,
    value_format,
)
from kpidesk.io.export.trends import trends_sheet
from kpidesk.io.xlsx import TEXT_PER_UNIT, Item, Sheet, XlsxBook, check_target, sheet_title
from kpidesk.labels import DIMENSION_LABELS

#: Member names (products…) longer than this wrap in their column.
_MEMBER_WIDTH = 40


def export_summary(
    engine: Engine,
    query: Query,
    path: str | Path,
    *,
    by: Sequence[str] = (),
    database: str = "",
    lang: str | None = None,
    currency: str | None = None,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
) -> Path:
    """Write the summary workbook of ``query`` to ``path`` (``.xlsx``).

    Args:
        engine: the company's engine (the one the window shows).
        query: range, grain, comparison, filters and KPIs (None: every implemented KPI);
            its ``by`` is ignored: breakdowns are ``by``.
        path: the workbook to write; an existing file is replaced only once the new
            one is complete.
        by: the dimensions to break the KPIs down by, one sheet each.
        database: the database file, shown on the Settings sheet.
        lang: ``"fr"`` or ``"en"``; None is the app's language.
        currency: ISO code of the amounts; None is the company's.
        progress: called with (fraction 0..1, message).
        cancelled: polled; when it returns True the export stops, raising
            :class:`~kpidesk.errors.Cancelled`, and nothing is written.

    Returns:
        The path written.

    Raises:
        UserError: a bad dimension, or the file cannot be written (with a message
            naming it); any existing file is left whole.
        Cancelled: the user cancelled.
    """
    words = Words(lang or i18n.language())
    target = check_target(path, ".xlsx")
    dimensions = list(dict.fromkeys(by))
    for dimension in dimensions:
        if dimension not in DIMENSIONS:
            raise UserError(
                _("Unknown dimension '{dimension}'. The dimensions are: {dimensions}.").format(
                    dimension=dimension, dimensions=", ".join(DIMENSIONS)
                )
            )

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled()
        if progress is not None:
            progress(fraction, message)

    whole = replace(query, by=None)
    step(0.0, _("Computing the KPIs"))
    breakdowns: list[tuple[str, Result]] = []
    for i, dimension in enumerate(dimensions):
        label = words.lower_first(_(DIMENSION_LABELS[dimension]))
        step(0.5 * i / len(dimensions), _("Breaking down by {dimension}").format(dimension=label))
        breakdowns.append((dimension, engine.summary(replace(query, by=dimension))))
    # A breakdown's result holds the whole range's rows too (member None): the Summary's.
    summary = breakdowns[0][1] if breakdowns else engine.summary(whole)
    step(0.5, _("Computing the trends"))
    trends = engine.compute(whole)
    step(0.7, _("Writing the workbook"))

    code = currency or engine.settings.currency
    context = Context(
        engine, query, summary, trends, words, Look(words.lang, code), code, currency_symbol(code), database
    )
    sheets = [summary_sheet(context), trends_sheet(context)]
    for dimension, result in breakdowns:
        sheets.append(breakdown_sheet(context, dimension, result, [s.title for s in sheets]))
    sheets.append(definitions_sheet(context))
    sheets.append(settings_sheet(context, dimensions))
    # The last chance to cancel: the sheets are then written and saved in one go.
    step(0.75, _("Writing the workbook"))
    book = XlsxBook(sheets, document_properties(context))
    if progress is not None:
        progress(0.9, _("Saving {file}").format(file=target.name))
    saved = book.save(target)
    if progress is not None:
        progress(1.0, _("Exported {file}").format(file=target.name))
    return saved


# -- Summary ----------------------------------------------------------------------------------------


def summary_sheet(c: Context) -> Sheet:
    w, look = c.words, c.look
    sheet = Sheet(sheet_title(w.tr("Summary")), header_row=HEADER_ROW, freeze_columns=2, max_width=48)
    c.heading(sheet, w.tr("KPI summary"), c.range_text(), 9)
    headers = [
        w.tr("Theme"),
        w.tr("KPI"),
        w.tr("Value"),
        w.tr("Unit"),
        w.tr("Comparison"),
        w.tr("Change"),
        w.tr("Target"),
        w.tr("Attainment"),
        w.tr("Note"),
    ]
    sheet.add(*[(h, look.header) for h in headers])
    colours = Colours()
    rows = {r.kpi: r for r in c.summary.rows if r.member is None}
    for definition in c.kpis():
        row = rows[definition.id]
        r = len(sheet.rows) + 1
        theme = THEME_NAMES[definition.theme].get(c.lang, THEME_NAMES[definition.theme]["en"])
        sheet.add(
            (theme, look.text),
            (definition.name(c.lang), look.text),
            *value_items(c, definition, row, colours, r, first_column=3, unit=True),
        )
    sheet.widths[9] = 44.0
    sheet.conditional.extend(colours.formats())
    return sheet


def value_items(
    c: Context,
    d: KpiDef,
    row: KpiRow,
    colours: Colours,
    r: int,
    *,
    first_column: int,
    unit: bool,
    share_column: bool = False,
    share: float | None = None,
    total: bool = False,
) -> list[Item]:
    """Value, [unit], [share of total], comparison, change, target, attainment, note of one KPI row."""
    look = c.look
    shown = c.present(row)
    items: list[Item] = []
    col = first_column
    if row.unavailable:
        items.append((c.words.tr("Unavailable"), look.muted))
        if unit:
            items.append((c.unit_text(d), look.unit))
        if share_column:
            items.append(None)
        items.extend([None, None, None, None, (c.notes(shown), look.note)])
        return items
    items.append(
        (cell_value(d, shown.value), look.number(value_format(d, shown.value), muted=row.low_confidence, total=total))
    )
    col += 1
    if unit:
        items.append((c.unit_text(d), look.unit))
        col += 1
    if share_column:
        items.append((share, look.number("percent", total=total)))
        col += 1
    items.append((cell_value(d, shown.comparison), look.number(value_format(d, shown.comparison), total=total)))
    col += 1
    change = change_value(shown.change_unit, shown.change)
    items.append((change, look.number(change_format(shown.change_unit), total=total)))
    if change is not None and d.direction != "neutral":
        colours.add(d.direction, r, col)
    col += 1
    items.append((cell_value(d, shown.target), look.number(value_format(d, shown.target), total=total)))
    col += 1
    attainment = None if shown.attainment is None else shown.attainment / 100.0
    items.append((attainment, look.number("attainment", total=total)))
    if attainment is not None and d.direction != "neutral":
        colours.add("target", r, col)
    notes = c.notes(shown)
    items.append((notes, look.note) if notes else None)
    return items


# -- Breakdowns -------------------------------------------------------------------------------------


def breakdown_sheet(c: Context, dimension: str, result: Result, taken: Sequence[str]) -> Sheet:
    w, look = c.words, c.look
    label = w.tr(DIMENSION_LABELS[dimension])
    title = w.tr("By {dimension}").format(dimension=w.lower_first(label))
    sheet = Sheet(sheet_title(title, taken), header_row=HEADER_ROW, freeze_columns=2, max_width=_MEMBER_WIDTH)
    c.heading(sheet, title, c.range_text(), 9)
    headers = [
        w.tr("KPI"),
        label,
        w.tr("Value"),
        w.tr("Share of total"),
        w.tr("Comparison"),
        w.tr("Change"),
        w.tr("Target"),
        w.tr("Attainment"),
        w.tr("Note"),
    ]
    sheet.add(*[(h, look.header) for h in headers])
    colours = Colours()
    by_kpi: dict[str, list[KpiRow]] = {}
    whole: dict[str, KpiRow] = {}
    for row in result.rows:
        if row.member is None:
            whole[row.kpi] = row
        else:
            by_kpi.setdefault(row.kpi, []).append(row)
    left_out: list[str] = []
    for d in c.kpis():
        members = by_kpi.get(d.id, [])
        total = whole.get(d.id)
        if not members or total is None or total.unavailable:
            left_out.append(d.name(c.lang))
            continue
        additive = d.id in ADDITIVE and total.value not in (None, 0)
        name = d.name(c.lang)
        r = len(sheet.rows) + 1
        sheet.add(
            (name, look.total_text),
            (w.tr("Total"), look.total_text),
            *value_items(
                c,
                d,
                total,
                colours,
                r,
                first_column=3,
                unit=False,
                share_column=True,
                share=1.0 if additive else None,
                total=True,
            ),
        )
        for row in leaderboard(d, members):
            r = len(sheet.rows) + 1
            share = (row.value / total.value) if additive and row.value is not None and total.value else None
            member = c.engine.member_label(dimension, row.member) if row.member else ""
            member_style = look.wrapped_text if len(member) > _MEMBER_WIDTH * TEXT_PER_UNIT else look.text
            sheet.add(
                (name, look.text),
                (member, member_style),
                *value_items(c, d, row, colours, r, first_column=3, unit=False, share_column=True, share=share),
            )
    if left_out:
        sheet.add()
        sheet.add_note(
            w.tr("Not broken down by {dimension}: {kpis}").format(
                dimension=w.lower_first(label), kpis=", ".join(left_out)
            ),
            look.note,
            9,
        )
    sheet.widths[9] = 40.0
    sheet.conditional.extend(colours.formats())
    return sheet
