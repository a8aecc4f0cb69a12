"""`python -m spc`: read one JSON spec (object), many (array) or a CSV on stdin; write JSON.

CSV columns (header required): `value`, optional `denominator` and `date`; empty cells are
missing points. Chart options for CSV input come from the command-line flags.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from spc.engine.api import compute, compute_batch
from spc.engine.errors import InvalidValueError, SpecError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m spc", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chart", default=None, help="run, i, mr, c, u, p, up, pp")
    parser.add_argument("--limits", default=None, help="mdc (default) or qic")
    parser.add_argument("--rules", default=None, help="mdc (default), anhoej or both")
    parser.add_argument("--improvement", default=None, help="increase, decrease or neutral")
    parser.add_argument("--freeze", default=None, help="N points, or an ISO date")
    parser.add_argument("--breaks", default=None, help="comma-separated part numbers or dates")
    parser.add_argument("--multiply", type=float, default=None)
    parser.add_argument("--target", type=float, default=None, help="fixed target value")
    parser.add_argument("--reduction", type=float, default=None, help="target reduction (0.25)")
    parser.add_argument("--deadline", default=None, help="ISO deadline of the target")
    parser.add_argument("--no-screen-mr", action="store_true")
    parser.add_argument("--indent", type=int, default=None)
    return parser


def spec_from_csv(text: str, args: argparse.Namespace) -> dict:
    """A spec from CSV text and the option flags."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and "value" not in rows[0]:
        raise InvalidValueError("CSV needs a 'value' column (and optional denominator, date)")
    spec: dict = {"values": [_number(r["value"], i) for i, r in enumerate(rows)]}
    if rows and "denominator" in rows[0]:
        spec["denominators"] = [_number(r["denominator"], i) for i, r in enumerate(rows)]
    if rows and "date" in rows[0]:
        spec["dates"] = [r["date"].strip() for r in rows]
    for name in ("chart", "limits", "rules", "improvement", "multiply"):
        if getattr(args, name) is not None:
            spec[name] = getattr(args, name)
    if args.freeze is not None:
        spec["freeze"] = int(args.freeze) if args.freeze.isdigit() else args.freeze
    if args.breaks:
        spec["breaks"] = [int(b) if b.strip().isdigit() else b.strip()
                          for b in args.breaks.split(",")]
    if args.no_screen_mr:
        spec["screen_mr"] = False
    if args.target is not None or args.reduction is not None:
        target = {"value": args.target} if args.target is not None else {
            "reduction": args.reduction}
        if args.deadline:
            target["deadline"] = args.deadline
        spec["target"] = target
    return spec


def main(argv: list[str] | None = None, stdin=None, stdout=None) -> int:
    args = build_parser().parse_args(argv)
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    text = stdin.read()
    try:
        stripped = text.lstrip()
        if stripped.startswith("["):
            result = compute_batch(json.loads(text), on_error="return")
        elif stripped.startswith("{"):
            result = compute(json.loads(text))
        else:
            result = compute(spec_from_csv(text, args))
    except (SpecError, json.JSONDecodeError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    json.dump(result, stdout, indent=args.indent, allow_nan=False)
    stdout.write("\n")
    return 0


def _number(cell: str, i: int) -> float | None:
    cell = (cell or "").strip()
    if cell == "" or cell.upper() in ("NA", "NAN", "NULL"):
        return None
    try:
        return float(cell)
    except ValueError as exc:
        raise InvalidValueError(f"CSV row {i + 1}: {cell!r} is not a number") from exc
