"""The summary workbook's ``.xlsx`` writer (:mod:`kpidesk.io.xlsx`): openpyxl's public API only.

Each workbook is written to disk and read back: by openpyxl (which must open it
without a warning), by python-calamine (a second, independent reader), and as
raw XML from the zip, to check what the file really holds.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.chart import LineChart, Reference, Series
from python_calamine import CalamineWorkbook

from kpidesk.errors import UserError
from kpidesk.io.xlsx import (
    PLAIN,
    CellStyle,
    ConditionalFormat,
    DocumentProperties,
    Highlight,
    PlacedChart,
    Sheet,
    XlsxBook,
    cell_text,
    clean_text,
)

MONEY = CellStyle(number_format='#,##0.00" €"', decimals=2)
PERCENT = CellStyle(number_format="0.0%", decimals=1, scale=100.0)
DATE = CellStyle(number_format="dd/mm/yyyy")
HEADER = CellStyle(bold=True, fill="DCE6F1", horizontal="center", border_bottom=True, wrap=True)
GOOD = Highlight(font="006100", fill="C6EFCE")
BAD = Highlight(font="9C0006", fill="FFC7CE")


def load_quietly(path: Path) -> Any:
    """The workbook as openpyxl reads it, failing on any warning (a repaired or odd file)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wb = load_workbook(path)
    assert [str(w.message) for w in caught] == []
    return wb


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def table_sheet(title: str = "Data") -> Sheet:
    sheet = Sheet(title, header_row=2, freeze_columns=1)
    sheet.add(("A title that overflows", CellStyle(bold=True, size=14, fit=False)))
    sheet.add(("Name", HEADER), ("Amount", HEADER), ("Share", HEADER), ("Day", HEADER))
    sheet.add(("Alice", PLAIN), (1234.5, MONEY), (0.125, PERCENT), (dt.date(2024, 3, 5), DATE))
    sheet.add(("Bruno", PLAIN), (-30.25, MONEY), (float("nan"), PERCENT), (None, HEADER))
    return sheet


# -- escaping ------------------------------------------------------------------------------------


def test_cell_text_drops_what_xml_cannot_hold_and_keeps_excel_escapes_literal() -> None:
    # Controls, a lone surrogate and U+FFFF cannot be in an XML 1.0 document at all.
    assert clean_text("a\x00b\x01c\x0bd\x1fe\ud800f\uffffg") == "abcdefg"
    # Tab and newline are kept; a carriage return is stored as Excel's own escape (XML would
    # read a literal one back as a line feed).
    assert cell_text("a\tb\nc\rd") == "a\tb\nc_x000D_d"
    # Excel reads _xHHHH_ as an escaped character: the underscore is escaped to keep the text.
    assert cell_text("id_x0041_") == "id_x005F_x0041_"
    assert cell_text("_x00_ and _xZZZZ_") == "_x00_ and _xZZZZ_"
    assert cell_text("A & B <c>") == "A & B <c>"  # markup is openpyxl's to escape


def test_text_round_trips_through_independent_readers(tmp_path: Path) -> None:
    texts = [
        "A & B <c>",
        "  leading and trailing  ",
        "line one\nline two",
        "Zoë — 1 234,56 €",
        "x\x00y\x07z",
        "lone \ud800 surrogate",
        "_x0041_",
        "x" * 40_000,
    ]
    sheet = Sheet("Text")
    for text in texts:
        sheet.add((text, PLAIN))
    path = XlsxBook([sheet]).save(tmp_path / "text.xlsx")
    expected = [
        "A & B <c>",
        "  leading and trailing  ",
        "line one\nline two",
        "Zoë — 1 234,56 €",
        "xyz",
        "lone  surrogate",
        "_x0041_",
        "x" * 32_767,
    ]
    calamine = [row[0] for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()]
    assert calamine == expected
    got = [row[0] for row in load_quietly(path).active.iter_rows(values_only=True)]
    # openpyxl does not decode Excel's _xHHHH_ escapes in inline strings: it shows the escape.
    assert got == [*expected[:6], "_x005F_x0041_", expected[7]]
    xml = parts_of(path)["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert '<t xml:space="preserve">  leading and trailing  </t>' in xml


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    dangerous = [
        '=HYPERLINK("http://example.invalid","x")',
        "=1+1",
        "+33 6 12 34 56 78",
        "-5",
        "@SUM(A1:A2)",
        "\t=cmd",
        "\r=cmd",
    ]
    sheet = Sheet("Texts")
    for text in dangerous:
        sheet.add((text, PLAIN), (text, MONEY))
    path = XlsxBook([sheet]).save(tmp_path / "f.xlsx")
    xml = parts_of(path)["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    assert xml.count('t="inlineStr"') == 2 * len(dangerous)
    ws = load_quietly(path).active
    for r, text in enumerate(dangerous, start=1):
        for cell in ws[r]:
            # openpyxl shows Excel's escape of a carriage return (_x000D_) as it is stored.
            assert (cell.value, cell.data_type) == (cell_text(text), "s")
            assert cell.quotePrefix, cell.coordinate  # editing it in Excel keeps it text
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in calamine] == dangerous
    # Ordinary text gets no quote prefix.
    plain = Sheet("Plain")
    plain.add(("Alice", PLAIN))
    ws = load_quietly(XlsxBook([plain]).save(tmp_path / "p.xlsx")).active
    assert not ws["A1"].quotePrefix


# -- values and formats -----------------------------------------------------------------------------


def test_values_are_typed_and_formatted(tmp_path: Path) -> None:
    sheet = table_sheet()
    sheet.add(("Flags", PLAIN), (True, PLAIN), (False, PLAIN), (dt.datetime(2024, 3, 5, 14, 30), DATE))
    sheet.add(("Big", PLAIN), (12345678901234567.0, PLAIN), (7, PLAIN), (float("inf"), MONEY))
    path = XlsxBook([sheet]).save(tmp_path / "v.xlsx")
    ws = load_quietly(path)["Data"]
    assert ws["B3"].value == 1234.5 and ws["B3"].number_format == '#,##0.00" €"'
    assert ws["C3"].value == 0.125 and ws["C3"].number_format == "0.0%"
    assert ws["D3"].is_date and ws["D3"].value == dt.datetime(2024, 3, 5)
    assert ws["D3"].number_format == "dd/mm/yyyy"
    assert ws["B4"].value == -30.25
    assert ws["C4"].value is None  # NaN is left empty, never written as a number
    assert ws["D4"].value is None and ws["D4"].fill.fgColor.rgb == "00DCE6F1"  # empty, but its fill shows
    assert (ws["B5"].value, ws["C5"].value) == (True, False)
    assert ws["D5"].value == dt.datetime(2024, 3, 5, 14, 30)
    # Excel holds 15 significant digits: openpyxl writes no more than that.
    assert ws["B6"].value == pytest.approx(12345678901234567.0, rel=1e-15) and ws["C6"].value == 7
    assert ws["D6"].value is None
    header = ws["A2"]
    assert header.font.b and header.fill.fgColor.rgb == "00DCE6F1"
    assert header.border.bottom.style == "thin"
    assert (header.alignment.horizontal, header.alignment.wrap_text) == ("center", True)
    assert ws["A1"].font.sz == 14
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert calamine[2][:3] == ["Alice", 1234.5, 0.125]
    assert calamine[2][3] == dt.date(2024, 3, 5)


def test_layout_frozen_sized_merged_printable(tmp_path: Path) -> None:
    sheet = table_sheet()
    sheet.add_note("A note that spans the table", CellStyle(italic=True, wrap=True), 4)
    sheet.row_heights[3] = 30.0
    wide = Sheet("Wide", header_row=2, freeze_columns=2, scale=60, column_breaks=[14, 26])
    wide.add(("Title", PLAIN))
    wide.add(*[(f"Period {i}", HEADER) for i in range(40)])
    wide.row_breaks.append(3)
    path = XlsxBook([sheet, wide]).save(tmp_path / "l.xlsx")
    wb = load_quietly(path)
    ws = wb["Data"]
    assert ws.freeze_panes == "B3"
    assert ws.column_dimensions["A"].width >= len("Alice")
    assert ws.column_dimensions["B"].width >= len("1,234.50 €")
    assert [str(r) for r in ws.merged_cells.ranges] == ["A5:D5"]
    assert ws.row_dimensions[3].height == 30.0
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$2:$2"
    assert ws.oddFooter.right.text == "&P / &N" and ws.oddFooter.left.text == "&A"
    wide_ws = wb["Wide"]
    assert wide_ws.freeze_panes == "C3"
    assert wide_ws.page_setup.scale == 60
    assert [b.id for b in wide_ws.col_breaks.brk] == [14, 26]
    assert [b.id for b in wide_ws.row_breaks.brk] == [3]
    assert wide_ws.print_title_cols == "$A:$B"
    # Only the first sheet's tab is selected.
    xml = parts_of(path)
    assert b'tabSelected="1"' in xml["xl/worksheets/sheet1.xml"]
    assert b"tabSelected" not in xml["xl/worksheets/sheet2.xml"]


def test_conditional_colours(tmp_path: Path) -> None:
    sheet = table_sheet()
    sheet.conditional.append(ConditionalFormat("C3:C4", (("greaterThan", "0", GOOD), ("lessThan", "0", BAD))))
    sheet.conditional.append(ConditionalFormat("B3 B4", (("lessThan", "0", GOOD),)))
    ws = load_quietly(XlsxBook([sheet]).save(tmp_path / "c.xlsx")).active
    found = sorted(
        (str(cf.sqref), rule.operator, rule.formula, rule.dxf.font.color.rgb, rule.dxf.fill.bgColor.rgb, rule.priority)
        for cf in ws.conditional_formatting
        for rule in cf.rules
    )
    assert found == [
        ("B3 B4", "lessThan", ["0"], "00006100", "00C6EFCE", 3),
        ("C3:C4", "greaterThan", ["0"], "00006100", "00C6EFCE", 1),
        ("C3:C4", "lessThan", ["0"], "009C0006", "00FFC7CE", 2),
    ]


# -- charts ---------------------------------------------------------------------------------------


def line_chart(title: str, row: int, sheet: str = "Trends") -> LineChart:
    chart = LineChart()
    chart.title = title
    series = Series(Reference(range_string=f"'{sheet}'!$B${row}:$D${row}"), title=title)
    chart.series.append(series)
    chart.set_categories(Reference(range_string=f"'{sheet}'!$B$1:$D$1"))
    return chart


def test_charts_are_native_and_reference_their_rows(tmp_path: Path) -> None:
    trends = Sheet("Trends", header_row=1)
    trends.add(("KPI", HEADER), ("2024-01", HEADER), ("2024-02", HEADER), ("2024-03", HEADER))
    trends.add(("Revenue", PLAIN), (10.0, PLAIN), (12.0, PLAIN), (9.0, PLAIN))
    trends.add(("Leads", PLAIN), (3.0, PLAIN), (4.0, PLAIN), (5.0, PLAIN))
    trends.charts.append(PlacedChart(line_chart("Revenue", 2), 0, 5, 0.0, 12.0, 6.0))
    trends.charts.append(PlacedChart(line_chart("Leads", 3), 3, 5, 0.5, 12.0, 6.0))
    other = Sheet("Other")
    other.add(("x", PLAIN))
    more = Sheet("More")
    more.add(("y", PLAIN))
    more.charts.append(PlacedChart(line_chart("More", 1, "More"), 1, 2, 0.0, 10.0, 5.0))
    path = XlsxBook([other, trends, more]).save(tmp_path / "charts.xlsx")
    wb = load_quietly(path)
    charts = wb["Trends"]._charts
    assert len(charts) == 2 and len(wb["Other"]._charts) == 0 and len(wb["More"]._charts) == 1
    for chart, (name, row) in zip(charts, [("Revenue", 2), ("Leads", 3)], strict=True):
        assert "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or [])) == name
        (series,) = chart.series
        assert series.val.numRef.f == f"'Trends'!$B${row}:$D${row}"
        assert series.cat.numRef.f == "'Trends'!$B$1:$D$1"
    anchors = [(c.anchor._from.col, c.anchor._from.row, c.anchor._from.colOff) for c in charts]
    assert anchors == [(0, 5, 0), (3, 5, 180_000)]
    assert (charts[0].anchor.ext.width, charts[0].anchor.ext.height) == (4_320_000, 2_160_000)
    assert wb["More"]._charts[0].series[0].val.numRef.f == "'More'!$B$1:$D$1"


def test_package_is_well_formed_and_complete(tmp_path: Path) -> None:
    trends = Sheet("Q&A <1>", header_row=1)
    trends.add(("KPI", HEADER), ("a", HEADER), ("b", HEADER), ("c", HEADER))
    trends.add(("Revenue", PLAIN), (1.0, PLAIN), (2.0, PLAIN), (3.0, PLAIN))
    trends.charts.append(PlacedChart(line_chart("R", 2, "Q&A <1>"), 0, 3, 0.0, 10.0, 5.0))
    properties = DocumentProperties(
        title="Delorme & fils — <KPI> _x0041_",
        subject="2024",
        creator="KPI Desk",
        description="d",
        keywords="KPI",
        language="fr",
        created=dt.datetime(2024, 3, 5, 9, 30),
    )
    path = XlsxBook([table_sheet(), trends], properties).save(tmp_path / "p.xlsx")
    parts = parts_of(path)
    assert "[Content_Types].xml" in parts
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            ElementTree.fromstring(data)  # raises on malformed XML
    # Every part is typed, and every relationship points at a part of the package.
    types = ElementTree.fromstring(parts["[Content_Types].xml"])
    overridden = {e.get("PartName") for e in types if e.tag.endswith("Override")}
    assert {f"/{name}" for name in parts if name.endswith(".xml") and name != "[Content_Types].xml"} <= overridden
    assert overridden <= {f"/{name}" for name in parts}
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        for rel in ElementTree.fromstring(data):
            # A target is relative to the part's folder, or absolute in the package (openpyxl's).
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", ""))).lstrip("/")
            assert target in parts, (name, target)
    wb = load_quietly(path)
    assert wb.sheetnames == ["Data", "Q&A <1>"]
    assert wb["Q&A <1>"]._charts[0].series[0].val.numRef.f == "'Q&A <1>'!$B$2:$D$2"
    assert wb.properties.title == "Delorme & fils — <KPI> _x0041_"
    assert (wb.properties.creator, wb.properties.language, wb.properties.keywords) == ("KPI Desk", "fr", "KPI")
    assert wb.properties.created == dt.datetime(2024, 3, 5, 9, 30)


# -- saving ---------------------------------------------------------------------------------------


def test_save_replaces_the_file_only_when_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"last month")
    book = XlsxBook([table_sheet()])

    def interrupted(self: XlsxBook, file: Any) -> None:
        Path(file).write_bytes(b"PK half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(XlsxBook, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        book.save(target)
    assert target.read_bytes() == b"last month"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]
    monkeypatch.undo()
    assert book.save(target) == target
    assert load_quietly(target).sheetnames == ["Data"]
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_save_into_a_folder_target_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "book.xlsx"
    folder.mkdir()
    with pytest.raises(UserError, match="is a folder"):
        XlsxBook([table_sheet()]).save(folder)
