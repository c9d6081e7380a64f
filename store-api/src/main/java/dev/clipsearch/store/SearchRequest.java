package dev.clipsearch.store;

import java.util.Objects;

/**
 * A nearest-neighbour query.
 *
 * @param vector the query vector (same dimension as the table; need not be normalised)
 * @param k how many hits to return at most (1..{@link #MAX_K})
 * @param filter an optional filter, or {@code null}; applied before the top-k is taken (prefilter),
 *     so a query returns k hits whenever k matching records exist
 * @param includeImageBytes whether hits carry the encoded image
 */
public record SearchRequest(float[] vector, int k, Filter filter, boolean includeImageBytes) {
    /** The largest k any backend accepts. */
    public static final int MAX_K = 10_000;

    /** Validates k. */
    public SearchRequest {
        Objects.requireNonNull(vector, "vector");
        if (k < 1 || k > MAX_K) {
            throw new IllegalArgumentException("k must be between 1 and " + MAX_K + ", got " + k);
        }
    }

    /** A plain top-k query without filter and without image bytes. */
    public static SearchRequest of(float[] vector, int k) {
        return new SearchRequest(vector, k, null, false);
    }

    /** The same query with a filter. */
    public SearchRequest withFilter(Filter f) {
        return new SearchRequest(vector, k, f, includeImageBytes);
    }

    /** The same query, returning image bytes with each hit. */
    public SearchRequest withImageBytes() {
        return new SearchRequest(vector, k, filter, true);
    }
}
