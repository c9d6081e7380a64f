package dev.clipsearch.store;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small portable filter model that every backend translates into its own query language. Never a
 * raw SQL string.
 */
public sealed interface Filter {

    /** Records whose label equals {@code label}. */
    static Filter labelEquals(int label) {
        return new LabelIn(Set.of(label));
    }

    /** Records whose label is one of {@code labels} (must not be empty). */
    static Filter labelIn(java.util.Collection<Integer> labels) {
        return new LabelIn(new java.util.HashSet<>(labels));
    }

    /** Records whose metadata value for {@code key} equals {@code value}. */
    static Filter metadataEquals(String key, String value) {
        return new MetadataEquals(key, value);
    }

    /** Records that match every one of {@code filters}. */
    static Filter and(Filter... filters) {
        return new And(List.of(filters));
    }

    /**
     * Whether a record with this label and metadata matches; the reference semantics for every
     * backend.
     */
    boolean matches(int label, java.util.Map<String, String> metadata);

    /** Label is in the set. */
    record LabelIn(Set<Integer> labels) implements Filter {
        /** Validates and copies (sorted) the label set. */
        public LabelIn {
            Objects.requireNonNull(labels, "labels");
            if (labels.isEmpty()) {
                throw new IllegalArgumentException("labelIn filter needs at least one label");
            }
            labels = java.util.Collections.unmodifiableSet(new TreeSet<>(labels));
        }

        @Override
        public boolean matches(int label, java.util.Map<String, String> metadata) {
            return labels.contains(label);
        }
    }

    /** Metadata key equals value. Keys are letters, digits, '_' and '-' only. */
    record MetadataEquals(String key, String value) implements Filter {
        /** Validates the key. */
        public MetadataEquals {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (!key.matches("[A-Za-z0-9_\\-]{1,64}")) {
                throw new IllegalArgumentException(
                        "Invalid metadata key '" + key + "': use 1-64 letters, digits, '_' or '-'");
            }
        }

        @Override
        public boolean matches(int label, java.util.Map<String, String> metadata) {
            return value.equals(metadata.get(key));
        }
    }

    /** All of the filters match. */
    record And(List<Filter> filters) implements Filter {
        /** Copies the list. */
        public And {
            filters = List.copyOf(filters);
            if (filters.isEmpty()) {
                throw new IllegalArgumentException("and filter needs at least one filter");
            }
        }

        @Override
        public boolean matches(int label, java.util.Map<String, String> metadata) {
            return filters.stream().allMatch(f -> f.matches(label, metadata));
        }
    }
}
