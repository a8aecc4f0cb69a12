"""Bulk writes without model instances or CASE expressions, for imports and chart results.

Django's bulk_update builds one CASE WHEN per field and row, which costs seconds for a few
hundred rows with large JSON values; a prepared UPDATE executed many times costs
milliseconds. Both SQLite and PostgreSQL accept the SQL below."""

from django.db import connection


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
