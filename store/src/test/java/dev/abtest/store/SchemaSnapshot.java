package dev.abtest.store;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * What a set of tables looks like in the catalog: columns (types, nullability, defaults), the
 * labels of the {@code "ExperimentStatus"} enum in order, constraints and indexes. Two snapshots
 * are equal when nothing about those tables differs.
 */
record SchemaSnapshot(
    List<String> columns, List<String> enumLabels, List<String> constraints, List<String> indexes) {

  static SchemaSnapshot of(Jdbi jdbi, List<String> tables) {
    return jdbi.withHandle(
        h ->
            new SchemaSnapshot(
                h.createQuery(
                        "SELECT concat_ws(' | ', table_name, ordinal_position, column_name,"
                            + " data_type, udt_name, is_nullable, column_default,"
                            + " datetime_precision, character_maximum_length)"
                            + " FROM information_schema.columns"
                            + " WHERE table_schema = current_schema() AND table_name IN (<tables>)"
                            + " ORDER BY table_name, ordinal_position")
                    .bindList("tables", tables)
                    .mapTo(String.class)
                    .list(),
                h.createQuery(
                        "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid"
                            + " WHERE t.typname = 'ExperimentStatus' ORDER BY e.enumsortorder")
                    .mapTo(String.class)
                    .list(),
                h.createQuery(
                        "SELECT concat_ws(' | ', c.relname, k.conname, k.contype,"
                            + " pg_get_constraintdef(k.oid))"
                            + " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                            + " WHERE c.relnamespace = current_schema()::regnamespace"
                            + " AND c.relname IN (<tables>) ORDER BY 1")
                    .bindList("tables", tables)
                    .mapTo(String.class)
                    .list(),
                h.createQuery(
                        "SELECT concat_ws(' | ', tablename, indexname, indexdef) FROM pg_indexes"
                            + " WHERE schemaname = current_schema() AND tablename IN (<tables>)"
                            + " ORDER BY 1")
                    .bindList("tables", tables)
                    .mapTo(String.class)
                    .list()));
  }
}
