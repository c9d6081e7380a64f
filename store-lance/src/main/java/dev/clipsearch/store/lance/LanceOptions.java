package dev.clipsearch.store.lance;

import dev.clipsearch.store.StoreLocation;
import java.util.Set;

/**
 * Options of a Lance table: set by {@link LanceVectorStore.Builder}, or parsed from the parameters
 * of a {@code lance:PATH?...} store URI.
 *
 * @param indexThreshold rows from which {@code createIndex(AUTO)} builds an ANN index (below: exact
 *     search)
 * @param nprobes IVF partitions searched per query (0: the index type's measured default)
 * @param refineFactor candidates re-ranked with full vectors, as a multiple of k (0: default)
 * @param ef HNSW search breadth (0: default)
 * @param indexCacheBytes bound of the Lance index cache for this table
 * @param exactFilterRows filtered searches matching at most this many rows are exact even with an
 *     index
 * @param memoryRows tables without a vector index and with at most this many rows are searched
 *     exactly from a memory-resident copy of their vectors (0: never; about 2 KB per row at 512-d)
 */
record LanceOptions(
        long indexThreshold,
        int nprobes,
        int refineFactor,
        int ef,
        long indexCacheBytes,
        long exactFilterRows,
        long memoryRows) {

    static final Set<String> KEYS =
            Set.of(
                    "index_threshold",
                    "nprobes",
                    "refine_factor",
                    "ef",
                    "index_cache_mb",
                    "exact_filter_rows",
                    "memory_rows",
                    "table");

    static final long DEFAULT_INDEX_THRESHOLD = 100_000;

    /**
     * Index cache bound (an upper bound: memory is only used as partitions are loaded). When the
     * cache cannot hold the probed partitions every query reloads them. Measured on an IVF_HNSW_SQ
     * index of 1M 512-d vectors (7 partitions, all probed), reopened: p50 188 ms with 1 GB, 11 ms
     * with 4 GB, 10 ms with 8 GB. Lance's own default is 6 GB.
     */
    static final long DEFAULT_INDEX_CACHE_MB = 4096;

    static LanceOptions defaults() {
        return new LanceOptions(
                DEFAULT_INDEX_THRESHOLD,
                0,
                0,
                0,
                DEFAULT_INDEX_CACHE_MB << 20,
                20_000,
                DEFAULT_INDEX_THRESHOLD);
    }

    /** Reads and checks the URI parameters; unknown keys are an error. */
    static LanceOptions from(StoreLocation location) {
        location.requireKnownParams("lance", KEYS);
        LanceOptions d = defaults();
        return new LanceOptions(
                nonNegative(location, "index_threshold", d.indexThreshold),
                (int) nonNegative(location, "nprobes", 0),
                (int) nonNegative(location, "refine_factor", 0),
                (int) nonNegative(location, "ef", 0),
                nonNegative(location, "index_cache_mb", d.indexCacheBytes >> 20) << 20,
                nonNegative(location, "exact_filter_rows", d.exactFilterRows),
                nonNegative(location, "memory_rows", d.memoryRows));
    }

    private static long nonNegative(StoreLocation location, String key, long defaultValue) {
        return location.longParam(key, defaultValue, 0, MAX);
    }

    /** The largest value of every option (the URI accepts the same range). */
    static final long MAX = Integer.MAX_VALUE;

    /** Checks a builder value: in {@code [0, MAX]}, else an error naming the option. */
    static long check(String option, long value) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException(
                    "Lance option " + option + " must be between 0 and " + MAX + ", got " + value);
        }
        return value;
    }

    LanceOptions withIndexThreshold(long rows) {
        return new LanceOptions(
                rows, nprobes, refineFactor, ef, indexCacheBytes, exactFilterRows, memoryRows);
    }

    LanceOptions withNprobes(int n) {
        return new LanceOptions(
                indexThreshold, n, refineFactor, ef, indexCacheBytes, exactFilterRows, memoryRows);
    }

    LanceOptions withRefineFactor(int n) {
        return new LanceOptions(
                indexThreshold, nprobes, n, ef, indexCacheBytes, exactFilterRows, memoryRows);
    }

    LanceOptions withEf(int n) {
        return new LanceOptions(
                indexThreshold,
                nprobes,
                refineFactor,
                n,
                indexCacheBytes,
                exactFilterRows,
                memoryRows);
    }

    LanceOptions withIndexCacheBytes(long bytes) {
        return new LanceOptions(
                indexThreshold, nprobes, refineFactor, ef, bytes, exactFilterRows, memoryRows);
    }

    LanceOptions withExactFilterRows(long rows) {
        return new LanceOptions(
                indexThreshold, nprobes, refineFactor, ef, indexCacheBytes, rows, memoryRows);
    }

    LanceOptions withMemoryRows(long rows) {
        return new LanceOptions(
                indexThreshold, nprobes, refineFactor, ef, indexCacheBytes, exactFilterRows, rows);
    }
}
