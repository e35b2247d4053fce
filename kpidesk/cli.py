"""The ``kpidesk`` command line (SPEC §4): parse, call core/io/store, print.

Exit status: 0 success; 1 a user-facing error, printed as one line
``kpidesk: error: …`` on stderr; 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpidesk import __version__
from kpidesk.core import catalog
from kpidesk.core.kinds import DIMENSIONS, KIND_NAMES
from kpidesk.core.periods import COMPARISONS, GRAINS
from kpidesk.errors import Cancelled, UserError
from kpidesk.i18n import LANGUAGES, _, language, ngettext, set_language
from kpidesk.labels import GRAIN_LABELS, KIND_TITLES
from kpidesk.memory import tune_allocator

if TYPE_CHECKING:
    from kpidesk.app.company import Company


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"kpidesk: error: {message}\n")


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(_("not a date: {text} (use YYYY-MM-DD)").format(text=text))


def _mapping(text: str) -> tuple[str, str]:
    field, sep, column = text.partition("=")
    if not sep or not field.strip() or not column:
        raise argparse.ArgumentTypeError(_("expected FIELD=COLUMN, got {text}").format(text=text))
    return field.strip(), column


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kpidesk", description=_("KPI Desk: the commercial KPIs of your business."))
    parser.add_argument("--version", action="version", version=f"kpidesk {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("gui", help=_("open the window"))
    p.add_argument("--db", type=Path, help=_("the company database (.kpidesk)"))

    p = sub.add_parser("new", help=_("create a database holding an empty company"))
    p.add_argument("--db", type=Path, required=True, help=_("the database file to create"))
    p.add_argument("--name", help=_("the company's name"))
    p.add_argument("--currency", default="EUR", metavar="CODE", help=_("the currency code (EUR when left out)"))
    p.add_argument("--force", action="store_true", help=_("replace the file if it exists"))

    p = sub.add_parser("demo", help=_("create a database holding the demo company"))
    p.add_argument("--db", type=Path, required=True, help=_("the database file to create"))
    p.add_argument("--seed", type=int, default=42, help=_("random seed (same seed, same company)"))
    p.add_argument("--force", action="store_true", help=_("replace the file if it exists"))

    p = sub.add_parser("import", help=_("import spreadsheets"))
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--kind", choices=KIND_NAMES, help=_("the kind of data (detected when left out)"))
    p.add_argument("--sheet", help=_("the sheet to read (the best match when left out)"))
    p.add_argument(
        "--map",
        type=_mapping,
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help=_("read FIELD from COLUMN (repeatable)"),
    )
    p.add_argument("--strict", action="store_true", help=_("import nothing from a file with a rejected row"))
    p.add_argument("--json", action="store_true", help=_("print the report as JSON"))

    p = sub.add_parser("imports", help=_("list import batches"))
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("undo-import", help=_("remove the rows of one import batch"))
    p.add_argument("batch", type=int, metavar="BATCH")
    p.add_argument("--db", type=Path, required=True)

    p = sub.add_parser("kpis", help=_("compute KPIs"))
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--from", dest="start", type=_date, metavar="DATE")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE")
    p.add_argument("--grain", choices=GRAINS, default="month")
    p.add_argument("--by", choices=DIMENSIONS, metavar="DIMENSION", help=", ".join(DIMENSIONS))
    p.add_argument(
        "--kpi",
        action="append",
        choices=catalog.KPI_IDS,
        metavar="ID",
        dest="kpis",
        help=_("a KPI id (repeatable; see 'kpidesk catalog')"),
    )
    p.add_argument("--compare", choices=COMPARISONS, default="previous")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help=_("export the summary workbook (.xlsx)"))
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.xlsx", help=_("the workbook to write"))
    p.add_argument("--from", dest="start", type=_date, metavar="DATE")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE")
    p.add_argument("--grain", choices=GRAINS, default="month")
    p.add_argument(
        "--by",
        choices=DIMENSIONS,
        action="append",
        default=[],
        metavar="DIMENSION",
        help=_("add a sheet breaking the KPIs down by DIMENSION (repeatable): {dimensions}").format(
            dimensions=", ".join(DIMENSIONS)
        ),
    )
    p.add_argument("--compare", choices=COMPARISONS, default="previous")

    p = sub.add_parser("catalog", help=_("the KPI catalogue with formulas"))
    p.add_argument("--json", action="store_true")
    for command in sub.choices.values():
        _add_lang(command)
    _add_lang(parser)
    return parser


def _add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", choices=LANGUAGES, help=_("the language of the words printed (default: the system language)")
    )


def _language_asked(argv: Sequence[str]) -> str | None:
    """The ``--lang`` of the command line, read before the parser is built so that its help is
    in that language too."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.partition("=")[2]
        if (arg == "--lang" or arg.startswith("--lang=")) and value in LANGUAGES:
            return value
    return None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    asked = _language_asked(arguments)
    if asked is not None:
        set_language(asked)
    parser = build_parser()
    args = parser.parse_args(arguments)
    tune_allocator()
    try:
        return _dispatch(args)
    except UserError as exc:
        _fail(str(exc))
    except Cancelled:
        _fail(_("cancelled; nothing was changed."))
    except KeyboardInterrupt:
        _fail(_("interrupted; nothing was changed."))
    except BrokenPipeError:
        return 0
    except Exception as exc:  # no traceback reaches the user
        if os.environ.get("KPIDESK_DEBUG"):
            traceback.print_exc()
        _fail(_("unexpected error: {error}").format(error=f"{type(exc).__name__}: {exc}"))
    return 1


def _fail(message: str) -> None:
    print(f"kpidesk: error: {message}", file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command is None or command == "gui":
        from kpidesk.ui.app import run

        return run(getattr(args, "db", None))
    handler = {
        "new": _new,
        "demo": _demo,
        "import": _import,
        "imports": _imports,
        "undo-import": _undo_import,
        "kpis": _kpis,
        "export": _export,
        "catalog": _catalog,
    }[command]
    return handler(args)


def _open(path: Path, write: bool = False) -> Company:
    """The company at ``path``, for reading (or, with ``write``, under its instance lock)."""
    from kpidesk.app.company import Company

    return Company.open(path, write=write, load=False)


def _new(args: argparse.Namespace) -> int:
    from kpidesk.app.company import Company

    Company.new(args.db, name=args.name or "", currency=args.currency, overwrite=args.force).close()
    print(_("Empty company written to {path}").format(path=args.db))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from kpidesk.app.demo import write_demo

    write_demo(args.db, seed=args.seed, overwrite=args.force)
    print(_("Demo company written to {path}").format(path=args.db))
    return 0


def _import(args: argparse.Namespace) -> int:
    """Each file is its own transaction: a file that cannot be imported is reported and the others
    still go in; the status is 1 when any file failed or was refused (``--strict``)."""
    from kpidesk.app.company import Company
    from kpidesk.app.imports import import_file

    overrides = dict(args.map)
    outcomes = []
    failures: list[str] = []
    # Importing into a file that does not exist yet (or is empty) starts that company.
    with Company.open(args.db, write=True, create=True, load=False) as company:
        for path in args.paths:
            try:
                outcomes.extend(
                    import_file(
                        company, path, kind=args.kind, sheet=args.sheet, overrides=overrides, strict=args.strict
                    )
                )
            except UserError as exc:
                failures.append(str(exc))
    failures.extend(
        ngettext(
            "{file}: {rejected} row rejected, so nothing was imported (--strict).",
            "{file}: {rejected} rows rejected, so nothing was imported (--strict).",
            o.rejected,
        ).format(file=o.file, rejected=o.rejected)
        for o in outcomes
        if o.batch_id is None and o.rejected
    )
    if args.json:
        print(json.dumps({"batches": [o.to_json() for o in outcomes]}, ensure_ascii=False, indent=2))
    else:
        for o in outcomes:
            _print_outcome(o)
    for message in failures:
        _fail(message)
    return 1 if failures else 0


def _print_outcome(o: Any) -> None:
    print(
        _("{file} [{sheet}] as {kind}: {imported} imported, {skipped} duplicates skipped, {rejected} rejected").format(
            file=o.file,
            sheet=o.sheet or "-",
            kind=_(KIND_TITLES[o.kind]).lower(),
            imported=o.imported,
            skipped=o.skipped_duplicates,
            rejected=o.rejected,
        )
    )
    for e in o.errors[:20]:
        print("  " + _("row {row}, column {column}, value {value!r}: {message}").format(**e))
    if len(o.errors) > 20:
        print("  " + _("… and {count} more").format(count=len(o.errors) - 20))


def _imports(args: argparse.Namespace) -> int:
    with _open(args.db) as company:
        batches = company.batches()
    if args.json:
        print(json.dumps({"batches": [b.to_json() for b in batches]}, ensure_ascii=False, indent=2))
        return 0
    if not batches:
        print(_("No import yet."))
    for b in batches:
        print(
            _(
                "#{id} {when} {file} [{sheet}] {kind}: {imported} imported, {skipped} skipped, {rejected} rejected"
            ).format(
                id=b.batch_id,
                when=b.imported_at,
                file=b.file,
                sheet=b.sheet or "-",
                kind=_(KIND_TITLES[b.kind]).lower(),
                imported=b.imported,
                skipped=b.skipped_duplicates,
                rejected=b.rejected,
            )
        )
    return 0


def _undo_import(args: argparse.Namespace) -> int:
    with _open(args.db, write=True) as company:
        batch = company.undo_import(args.batch)
    print(
        ngettext(
            "Import #{id} ({file}) undone: {count} row removed.",
            "Import #{id} ({file}) undone: {count} rows removed.",
            batch.imported,
        ).format(id=batch.batch_id, file=batch.file, count=batch.imported)
    )
    return 0


def _kpis(args: argparse.Namespace) -> int:
    from kpidesk.core.engine import Query
    from kpidesk.core.present import present, result_json

    _check_range(args)
    with _open(args.db) as company:
        engine, settings = company.engine, company.settings
    query = Query(
        start=args.start,
        end=args.end,
        grain=args.grain,
        compare=args.compare,
        by=args.by,
        kpis=tuple(args.kpis) if args.kpis else None,
    )
    result = engine.compute(query)
    if args.json:
        print(json.dumps(result_json(result), ensure_ascii=False, indent=2))
        return 0
    lang = language()
    grain = _(GRAIN_LABELS[args.grain]).lower()
    print(_("From {start} to {end}, by {grain}").format(start=result.start, end=result.end, grain=grain))
    compared = args.compare != "none"
    for row in result.rows:
        shown = present(row, compared=compared)
        value = _("unavailable") if row.unavailable else shown.value_text(lang, settings.currency)
        parts = [shown.kpi.name(lang), row.period]
        if row.member is not None and args.by is not None:
            parts.append(engine.member_label(args.by, row.member))
        parts.append(value)
        if compared and not row.unavailable:
            parts.append(shown.change_text(lang))
        if shown.attainment is not None:
            parts.append(_("{attainment} of target").format(attainment=shown.attainment_text(lang)))
        if not row.unavailable:
            notes = shown.notes_text(lang)
            if notes:
                parts.append(notes)
        print("  ".join(parts))
    return 0


def _export(args: argparse.Namespace) -> int:
    from kpidesk.app.exports import summary_workbook
    from kpidesk.core.engine import Query

    _check_range(args)
    with _open(args.db) as company:
        engine = company.engine
    query = Query(start=args.start, end=args.end, grain=args.grain, compare=args.compare)
    path = summary_workbook(engine, query, args.output, by=args.by, database=str(args.db))
    print(_("Summary workbook written to {path}").format(path=path))
    return 0


def _check_range(args: argparse.Namespace) -> None:
    """A range that ends before it starts is bad usage (exit 2), never silently turned round."""
    if args.start is not None and args.end is not None and args.end < args.start:
        build_parser().error(_("--to ({end}) is before --from ({start})").format(end=args.end, start=args.start))


def _catalog(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps({"kpis": [k.to_json() for k in catalog.CATALOG]}, ensure_ascii=False, indent=2))
        return 0
    lang = language()
    for k in catalog.CATALOG:
        print(f"{k.id}: {k.name(lang)} — {k.formula(lang)}")
        counts = k.counts(lang)  # what the numerator and the denominator count
        if counts:
            print(f"    {counts}")
    return 0
