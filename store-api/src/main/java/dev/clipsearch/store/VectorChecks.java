package dev.clipsearch.store;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validation and vector arithmetic every backend shares, so that all of them reject the same bad
 * input with the same clear messages before anything is written.
 */
public final class VectorChecks {

    /** The largest vector dimension any table accepts. */
    public static final int MAX_DIMENSION = 65_536;

    private VectorChecks() {}

    /**
     * Checks a table dimension.
     *
     * @throws IllegalArgumentException unless {@code 1 <= dimension <= MAX_DIMENSION}
     */
    public static int checkDimension(int dimension) {
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException(
                    "Vector dimension must be between 1 and "
                            + MAX_DIMENSION
                            + ", got "
                            + dimension);
        }
        return dimension;
    }

    /**
     * Checks the dimension given to open a table: 0 (take it from the existing table) or a valid
     * dimension.
     *
     * @throws IllegalArgumentException unless {@code dimension == 0} or {@link
     *     #checkDimension(int)} accepts it
     */
    public static int checkOpenDimension(int dimension) {
        return dimension == 0 ? 0 : checkDimension(dimension);
    }

    /**
     * Validates a whole upsert batch: the list and its records are non-null, every vector has
     * {@code dimension} finite components and a non-zero norm, and no id occurs twice. An empty
     * batch is valid.
     *
     * @throws NullPointerException if the list is null
     * @throws IllegalArgumentException naming the record (id, position) and the problem
     */
    public static void checkBatch(List<ImageRecord> records, int dimension) {
        Objects.requireNonNull(records, "records");
        Set<String> seen = new HashSet<>(records.size() * 2);
        for (int i = 0; i < records.size(); i++) {
            ImageRecord r = records.get(i);
            if (r == null) {
                throw new IllegalArgumentException(
                        "Record at position " + i + " of the batch is null");
            }
            checkVector(r.vector(), dimension, "record '" + r.id() + "' (position " + i + ")");
            if (!seen.add(r.id())) {
                throw new IllegalArgumentException(
                        "Duplicate id '"
                                + r.id()
                                + "' in one upsert batch (position "
                                + i
                                + "); ids must be unique within a batch");
            }
        }
    }

    /**
     * Validates a query: vector dimension and values, and k.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkQuery(SearchRequest request, int dimension) {
        Objects.requireNonNull(request, "search request");
        checkVector(request.vector(), dimension, "query vector");
        checkK(request.k());
    }

    /** Checks {@code 1 <= k <= SearchRequest.MAX_K}. */
    public static int checkK(int k) {
        if (k < 1 || k > SearchRequest.MAX_K) {
            throw new IllegalArgumentException(
                    "k must be between 1 and " + SearchRequest.MAX_K + ", got " + k);
        }
        return k;
    }

    /**
     * Checks one vector: not null, the expected dimension, finite values, non-zero norm.
     *
     * @param what names the vector in the error ("record 'abc'", "query vector")
     */
    public static void checkVector(float[] vector, int dimension, String what) {
        if (vector == null) {
            throw new IllegalArgumentException("Vector of " + what + " is null");
        }
        if (vector.length != dimension) {
            throw new IllegalArgumentException(
                    "Dimension mismatch for "
                            + what
                            + ": expected "
                            + dimension
                            + ", got "
                            + vector.length);
        }
        double sum = 0;
        for (int j = 0; j < vector.length; j++) {
            float x = vector[j];
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException(
                        "Vector of " + what + " has a non-finite value " + x + " at index " + j);
            }
            sum += (double) x * x;
        }
        if (sum == 0) {
            throw new IllegalArgumentException(
                    "Vector of " + what + " is all zeros; cosine similarity is undefined");
        }
    }

    /** The dot product of two vectors of equal length (accumulated in double). */
    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "Dimension mismatch: " + a.length + " vs " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** The Euclidean norm. */
    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /** Cosine similarity in [-1, 1]; 0 when either vector is all zeros. */
    public static double cosine(float[] a, float[] b) {
        double d = dot(a, b);
        double n = norm(a) * norm(b);
        return n == 0 ? 0 : Math.max(-1, Math.min(1, d / n));
    }

    /**
     * A new vector with unit L2 norm in the same direction (a copy of an all-zero vector stays
     * zero).
     */
    public static float[] normalize(float[] v) {
        double n = norm(v);
        float[] out = new float[v.length];
        if (n == 0) {
            return out;
        }
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    /** The longest table metadata value accepted, in characters. */
    public static final int MAX_TABLE_METADATA_VALUE = 65_536;

    /**
     * Validates table metadata entries before a write: keys of 1-128 letters, digits, '.', '_' or
     * '-', non-null values of at most {@value #MAX_TABLE_METADATA_VALUE} characters.
     *
     * @return an immutable copy
     */
    public static java.util.Map<String, String> checkTableMetadata(
            java.util.Map<String, String> entries) {
        java.util.Objects.requireNonNull(entries, "table metadata");
        for (java.util.Map.Entry<String, String> e : entries.entrySet()) {
            String key = e.getKey();
            if (key == null || !key.matches("[A-Za-z0-9._\\-]{1,128}")) {
                throw new IllegalArgumentException(
                        "Invalid table metadata key '"
                                + key
                                + "': use 1-128 letters, digits, '.', '_' or '-'");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(
                        "Table metadata key '" + key + "' has a null value: give a string");
            }
            if (e.getValue().length() > MAX_TABLE_METADATA_VALUE) {
                throw new IllegalArgumentException(
                        "Table metadata value of '"
                                + key
                                + "' has "
                                + e.getValue().length()
                                + " characters; at most "
                                + MAX_TABLE_METADATA_VALUE
                                + " are accepted");
            }
        }
        return java.util.Map.copyOf(entries);
    }
}
