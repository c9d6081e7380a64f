package dev.clipsearch.store;

import java.util.Map;

/**
 * What {@link VectorStore#createIndex(IndexOptions)} should build.
 *
 * @param type the index kind
 * @param params backend-specific tuning parameters (for example {@code num_partitions}, {@code
 *     nprobes}, {@code refine_factor}); unknown keys are an error, missing ones get measured
 *     defaults
 */
public record IndexOptions(IndexType type, Map<String, String> params) {

    /**
     * The index kinds. Backends that have no such index choose their closest equivalent or say so.
     */
    public enum IndexType {
        /** Let the backend choose from the table size (exact below its threshold). */
        AUTO,
        /** No index: exact brute-force search. */
        NONE,
        /** IVF partitions with HNSW graphs over scalar-quantised vectors (Lance). */
        IVF_HNSW_SQ,
        /** IVF partitions with product quantisation (Lance). */
        IVF_PQ,
        /** HNSW (Qdrant's native index). */
        HNSW
    }

    /** Copies the parameters. */
    public IndexOptions {
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** Backend chooses. */
    public static IndexOptions auto() {
        return new IndexOptions(IndexType.AUTO, Map.of());
    }

    /** A given type with default parameters. */
    public static IndexOptions of(IndexType type) {
        return new IndexOptions(type, Map.of());
    }
}
