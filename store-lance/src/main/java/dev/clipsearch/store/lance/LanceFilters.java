package dev.clipsearch.store.lance;

import dev.clipsearch.store.Filter;
import java.util.stream.Collectors;

/**
 * Translates the portable {@link Filter} model into a Lance SQL predicate. Only this class writes
 * SQL from user values: every string is a single-quoted literal with quotes doubled, labels are
 * integers, column names are fixed. Users never supply SQL.
 */
final class LanceFilters {

    private LanceFilters() {}

    /** The SQL predicate for a filter. */
    static String toSql(Filter filter) {
        if (filter instanceof Filter.LabelIn in) {
            if (in.labels().size() == 1) {
                return LanceSchema.LABEL + " = " + in.labels().iterator().next();
            }
            return LanceSchema.LABEL
                    + " IN ("
                    + in.labels().stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + ")";
        }
        if (filter instanceof Filter.MetadataEquals eq) {
            // The metadata column holds canonical JSON; a "key":"value" pair is preceded by '{' or
            // ',' and followed by
            // ',' or '}'. Inside JSON strings every '"' is escaped, so the pattern cannot match
            // inside a value.
            String pair = MetadataJson.pair(eq.key(), eq.value());
            return "("
                    + contains("{" + pair + ",")
                    + " OR "
                    + contains("{" + pair + "}")
                    + " OR "
                    + contains("," + pair + ",")
                    + " OR "
                    + contains("," + pair + "}")
                    + ")";
        }
        if (filter instanceof Filter.And and) {
            return and.filters().stream()
                    .map(f -> "(" + toSql(f) + ")")
                    .collect(Collectors.joining(" AND "));
        }
        throw new IllegalArgumentException("Unsupported filter " + filter);
    }

    private static String contains(String needle) {
        return "strpos(" + LanceSchema.METADATA + ", " + literal(needle) + ") > 0";
    }

    /** A SQL string literal: single quotes doubled. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
