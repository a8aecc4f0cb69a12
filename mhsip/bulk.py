"""Bulk writes without model instances or CASE expressions, for imports and chart results.

Django's bulk_update builds one CASE WHEN per field and row, which costs seconds for a few
hundred rows with large JSON values; a prepared UPDATE executed many times costs
milliseconds. Both SQLite and PostgreSQL accept the SQL below."""

import io

from django.db import connection, models


def update_rows(model, fields: list[str], objs) -> None:
    """UPDATE the fields of each object by primary key, one prepared statement for all."""
    if not objs:
        return
    ops = connection.ops
    meta = model._meta
    model_fields = [meta.get_field(f) for f in fields]
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


# COPY's text format: these characters are escaped, NULL is \N.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(COPY_ESCAPES)


def insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT many rows without building model instances: COPY on PostgreSQL (several times
    faster than INSERT for hundreds of thousands of rows), multi-row INSERTs elsewhere."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(model._meta.get_field(f).column) for f in fields)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(map(_copy_value, row)) + "\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        return
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(1, min(1000, (connection.features.max_query_params or 100_000) // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([row_marks] * len(chunk)),
                [value for row in chunk for value in row],
            )


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
