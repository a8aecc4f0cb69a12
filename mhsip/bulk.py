"""Bulk writes without model instances or CASE expressions, for imports and chart results.

Django's bulk_update builds one CASE WHEN per field and row, which costs seconds for a few
hundred rows with large JSON values. On PostgreSQL every write here goes through `COPY` (into
the table, or into a temporary table that one `UPDATE … FROM` then applies): one statement per
table, whatever the number of rows. SQLite has no COPY; there a prepared statement is executed
for every row (its per-statement cost is small: it runs in-process)."""

import datetime
import io
import itertools
import json
from dataclasses import dataclass

from django.db import connection, models, transaction

# COPY's text format: these characters are escaped, NULL is \N.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
NULL = "\\N"
_temp_names = itertools.count()
# Below this many rows a prepared UPDATE per row is cheaper than creating, filling and dropping
# a temporary table (about 3 ms here, the cost of ~10 single-row UPDATEs).
COPY_MIN_ROWS = 50


def _copy_value(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(COPY_ESCAPES)


def _json_encoder(field):
    """As Django's JSONField sends a value (json.dumps with the field's encoder), without the
    spaces after separators: stored chart views are megabytes of JSON text on SQLite."""
    return (field.encoder or json.JSONEncoder)(separators=(",", ":")).encode


def _copy_column(field, values) -> list[str]:
    """One column in COPY's text format. A converter per column rather than per value: this
    runs for millions of values in a 50,000-row import."""
    if isinstance(field, models.JSONField):
        encode = _json_encoder(field)
        return [NULL if v is None else encode(v).translate(COPY_ESCAPES) for v in values]
    if isinstance(field, models.BooleanField):
        return [NULL if v is None else ("t" if v else "f") for v in values]
    if isinstance(getattr(field, "target_field", field), models.IntegerField):
        return [NULL if v is None else str(v) for v in values]
    if isinstance(field, models.DateField):  # and DateTimeField: ISO 8601, with its offset
        return [NULL if v is None else str(v) for v in values]
    return [_copy_value(v) for v in values]


def _copy(cursor, table: str, fields: list, rows) -> None:
    """COPY rows (tuples in the order of `fields`) into `table`, a quoted name."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    text = [_copy_column(f, values) for f, values in zip(fields, zip(*rows, strict=True),
                                                         strict=True)]  # fmt: skip
    buffer = io.StringIO()
    buffer.writelines(line + "\n" for line in map("\t".join, zip(*text, strict=True)))
    buffer.seek(0)
    cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _fields(model, names: list[str]) -> list:
    return [model._meta.get_field(name) for name in names]


def update_rows(model, fields: list[str], objs) -> None:
    """UPDATE the fields of each object by primary key.

    PostgreSQL, from COPY_MIN_ROWS rows: the values are COPYed into a temporary table, then one
    `UPDATE … FROM` writes them all (a prepared UPDATE per row is a round trip each: seconds
    for 50,000 returns). Otherwise one prepared statement executed for each row."""
    if not objs:
        return
    meta = model._meta
    model_fields = _fields(model, fields)
    if connection.vendor == "postgresql" and len(objs) >= COPY_MIN_ROWS:
        rows = [
            (obj.pk, *(getattr(obj, f.attname) for f in model_fields)) for obj in objs
        ]
        _update_from_copy(model, [meta.pk, *model_fields], rows)
        return
    ops = connection.ops
    assignments = ", ".join(f"{ops.quote_name(f.column)} = %s" for f in model_fields)
    sql = (
        f"UPDATE {ops.quote_name(meta.db_table)} SET {assignments} "
        f"WHERE {ops.quote_name(meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _update_from_copy(model, fields: list, rows: list[tuple]) -> None:
    """fields[0] is the primary key: the other fields of each row are written to it."""
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    temp = ops.quote_name(f"bulk_{model._meta.db_table}_{next(_temp_names)}")
    definition = ", ".join(f"{ops.quote_name(f.column)} {f.db_type(connection)}" for f in fields)
    key = ops.quote_name(fields[0].column)
    assignments = ", ".join(
        f"{ops.quote_name(f.column)} = new.{ops.quote_name(f.column)}" for f in fields[1:]
    )
    # No savepoint: a failure aborts the caller's transaction anyway, and the next call uses a
    # table of another name.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({definition}) ON COMMIT DROP")
        _copy(cursor, temp, fields, rows)
        cursor.execute(
            f"UPDATE {table} AS old SET {assignments} FROM {temp} AS new "
            f"WHERE old.{key} = new.{key}"
        )
        cursor.execute(f"DROP TABLE {temp}")


def insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT many rows without building model instances: COPY on PostgreSQL (several times
    faster than INSERT for hundreds of thousands of rows), multi-row INSERTs elsewhere.
    JSON fields take Python values (dicts, lists) on both, never JSON text."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    model_fields = _fields(model, fields)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _copy(cursor, table, model_fields, rows)
        return
    json_columns = [i for i, f in enumerate(model_fields) if isinstance(f, models.JSONField)]
    if json_columns:  # Python values, as on PostgreSQL: encoded as the field would encode them
        rows = [_encode_json(row, json_columns, model_fields) for row in rows]
    columns = ", ".join(ops.quote_name(f.column) for f in model_fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(1, min(1000, (connection.features.max_query_params or 100_000) // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([row_marks] * len(chunk)),
                [value for row in chunk for value in row],
            )


def _encode_json(row: tuple, json_columns: list[int], fields: list) -> tuple:
    values = list(row)
    for i in json_columns:
        if values[i] is not None:
            values[i] = _json_encoder(fields[i])(values[i])
    return tuple(values)


def prepared_rows(objs, fields: list[str]) -> list[tuple]:
    """The database values of the instances' fields (by name or attname), as save() sends them."""
    if not objs:
        return []
    meta = objs[0]._meta
    ops = connection.ops

    def converter(field):
        # Field.get_db_prep_save is general and slow; these values are already typed.
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value
        return None

    prepare = [(meta.get_field(name).attname, converter(meta.get_field(name))) for name in fields]
    return [
        tuple(
            getattr(obj, attname) if convert is None else convert(getattr(obj, attname))
            for attname, convert in prepare
        )
        for obj in objs
    ]


def insert_rows_with_ids(model, fields: list[str], rows: list[tuple]) -> list[tuple] | None:
    """On PostgreSQL, take ids from the table's sequence first and insert the rows with them,
    returning (id, *row) for each; elsewhere return None (the caller reads the ids back).
    Saves reading back hundreds of thousands of new rows to learn their ids."""
    if connection.vendor != "postgresql" or not rows:
        return None
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    with_ids = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
    insert_rows(model, [meta.pk.name, *fields], with_ids)
    return with_ids


# --- writes with their django-simple-history rows ---------------------------------------------
# The history rows are the ones simple_history would write (same table, same fields, user,
# date and reason). On PostgreSQL they are written by the database from the rows it has just
# written (a data-modifying WITH), so Python formats each row once and never fetches ids.

HISTORY_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user_id"]
CHUNK = 500  # ids per IN (...) on SQLite


@dataclass(frozen=True)
class HistoryStamp:
    """Who, when and why, for every history row of one bulk write."""

    when: datetime.datetime
    user_id: int | None
    reason: str


def _tracked(model) -> list:
    return list(model.history.model.tracked_fields)


def _history_sql(model, source: str, kind: str) -> tuple[str, str]:
    """(columns, SELECT list) of an INSERT into the model's history table from `source`."""
    quote = connection.ops.quote_name
    tracked = [quote(f.column) for f in _tracked(model)]
    columns = ", ".join([*tracked, *map(quote, HISTORY_COLUMNS)])
    select = ", ".join([f"{source}.{c}" for c in tracked] + ["%s", "%s", f"'{kind}'", "%s"])
    return columns, select


def _stamp_params(stamp: HistoryStamp) -> list:
    return [stamp.when, stamp.reason, stamp.user_id]


def _temp_table(cursor, model, fields: list) -> str:
    quote = connection.ops.quote_name
    temp = quote(f"bulk_{model._meta.db_table}_{next(_temp_names)}")
    definition = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({definition}) ON COMMIT DROP")
    return temp


def _history_rows(model, kind: str, rows, stamp: HistoryStamp) -> list[tuple]:
    when = connection.ops.adapt_datetimefield_value(stamp.when)
    return [(*row, when, stamp.reason, kind, stamp.user_id) for row in rows]


def _insert_history(model, kind: str, rows, stamp: HistoryStamp) -> None:
    columns = [f.attname for f in _tracked(model)] + [*HISTORY_COLUMNS[:3], "history_user"]
    insert_rows(model.history.model, columns, _history_rows(model, kind, rows, stamp))


def _read_tracked(model, column: str, values) -> list[tuple]:
    """Every tracked value of the rows whose `column` is one of `values`, in chunks."""
    attnames = [f.attname for f in _tracked(model)]
    found, values = [], sorted(set(values))
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        found += model._base_manager.filter(**{f"{column}__in": chunk}).values_list(*attnames)
    return found


def insert_rows_with_history(model, fields: list[str], rows: list[tuple], *, stamp: HistoryStamp,
                             key: list[str] | None = None) -> dict[tuple, int]:  # fmt: skip
    """INSERT the rows (values of `fields`, as `prepared_rows` gives them) and a '+' history
    row for each. With `key` (a unique set of `fields`), return {key values: new id}.

    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT that also writes the
    history. Elsewhere (SQLite): multi-row INSERTs, then the new rows are read back for their
    history: they are the rows above the highest id before (AUTOINCREMENT ids only grow, and
    the writing transaction holds the database's write lock)."""
    if not rows:
        return {}
    model_fields = _fields(model, fields)
    key_fields = _fields(model, key or [])
    if connection.vendor != "postgresql":
        highest = model._base_manager.aggregate(highest=models.Max("pk"))["highest"] or 0
        insert_rows(model, fields, rows)
        attnames = [f.attname for f in _tracked(model)]
        new = list(model._base_manager.filter(pk__gt=highest).order_by("pk")
                   .values_list(*attnames))  # fmt: skip
        _insert_history(model, "+", new, stamp)
        pk, at = attnames.index(model._meta.pk.attname), [attnames.index(f.attname)
                                                          for f in key_fields]  # fmt: skip
        return {tuple(r[i] for i in at): r[pk] for r in new} if key else {}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in model_fields)
    history_columns, select = _history_sql(model, "new", "+")
    returned = ", ".join(quote(c) for c in [model._meta.pk.column, *(f.column for f in key_fields)])
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        temp = _temp_table(cursor, model, model_fields)
        _copy(cursor, temp, model_fields, rows)
        cursor.execute(
            f"WITH new AS (INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"SELECT {columns} FROM {temp} RETURNING *) "
            f"INSERT INTO {quote(model.history.model._meta.db_table)} ({history_columns}) "
            f"SELECT {select} FROM new" + (f" RETURNING {returned}" if key else ""),
            _stamp_params(stamp),
        )
        ids = {tuple(row[1:]): row[0] for row in cursor.fetchall()} if key else {}
        cursor.execute(f"DROP TABLE {temp}")
    return ids


def update_rows_with_history(model, fields: list[str], objs, *, stamp: HistoryStamp) -> None:
    """`update_rows`, and a '~' history row of each updated row as it now is."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        update_rows(model, fields, objs)
        rows = _read_tracked(model, model._meta.pk.attname, (obj.pk for obj in objs))
        _insert_history(model, "~", rows, stamp)
        return
    quote = connection.ops.quote_name
    model_fields = [model._meta.pk, *_fields(model, fields)]
    assignments = ", ".join(f"{quote(f.column)} = new.{quote(f.column)}" for f in model_fields[1:])
    key = quote(model._meta.pk.column)
    history_columns, select = _history_sql(model, "changed", "~")
    rows = [tuple(getattr(obj, f.attname) for f in model_fields) for obj in objs]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        temp = _temp_table(cursor, model, model_fields)
        _copy(cursor, temp, model_fields, rows)
        cursor.execute(
            f"WITH changed AS (UPDATE {quote(model._meta.db_table)} AS old SET {assignments} "
            f"FROM {temp} AS new WHERE old.{key} = new.{key} RETURNING old.*) "
            f"INSERT INTO {quote(model.history.model._meta.db_table)} ({history_columns}) "
            f"SELECT {select} FROM changed",
            _stamp_params(stamp),
        )
        cursor.execute(f"DROP TABLE {temp}")


def delete_rows_with_history(model, column: str, values, *, stamp: HistoryStamp) -> None:
    """DELETE the rows whose `column` (an attname) is one of `values`, with a '-' history row
    of each. No cascade and no signals: the caller deletes what refers to them first."""
    values = sorted(set(values))
    if not values:
        return
    if connection.vendor != "postgresql":
        rows = _read_tracked(model, column, values)
        pk = [f.attname for f in _tracked(model)].index(model._meta.pk.attname)
        ids = [row[pk] for row in rows]
        for start in range(0, len(ids), CHUNK):
            # _raw_delete: delete() would collect, cascade and signal row by row.
            model._base_manager.filter(pk__in=ids[start : start + CHUNK])._raw_delete(
                connection.alias
            )
        _insert_history(model, "-", rows, stamp)
        return
    quote = connection.ops.quote_name
    history_columns, select = _history_sql(model, "gone", "-")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.get_field(column).column)} = ANY(%s) RETURNING *) "
            f"INSERT INTO {quote(model.history.model._meta.db_table)} ({history_columns}) "
            f"SELECT {select} FROM gone",
            [values, *_stamp_params(stamp)],
        )
