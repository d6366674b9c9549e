"""Give the rebuilt tables' identity sequences back the names migrate gave them.

Until the swap kept them (`matchgraph.maintenance.tables_rebuilt`), every aggregation left
each table's id sequence named after its temporary copy (`<table>_next_id_seq`, then
`..._seq1`, ...). Nothing read the names, but a database should look like its migrations."""

from django.db import migrations

TABLES = ("matchgraph_intentartifactedge", "matchgraph_intentcapabilityedge", "matchgraph_comatch")

RENAME_DRIFTED_SEQUENCES = f"""
DO $$
DECLARE
    tablename text;
    sequence text;
BEGIN
    FOREACH tablename IN ARRAY ARRAY{list(TABLES)}::text[] LOOP
        sequence := pg_get_serial_sequence(tablename, 'id');
        IF sequence IS NOT NULL
           AND split_part(sequence, '.', 2) <> tablename || '_id_seq' THEN
            EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', sequence, tablename || '_id_seq');
        END IF;
    END LOOP;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("matchgraph", "0011_alter_artifactmatchstats_options_and_more"),
    ]

    operations = [
        migrations.RunSQL(RENAME_DRIFTED_SEQUENCES, reverse_sql=migrations.RunSQL.noop),
    ]
