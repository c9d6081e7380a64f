package dev.clipsearch.store.lance;

import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.lance.LanceIndexInfo.SearchTuning;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lance.Dataset;
import org.lance.index.DistanceType;
import org.lance.index.IndexParams;
import org.lance.index.IndexType;
import org.lance.index.OptimizeOptions;
import org.lance.index.scalar.BTreeIndexParams;
import org.lance.index.vector.HnswBuildParams;
import org.lance.index.vector.IvfBuildParams;
import org.lance.index.vector.PQBuildParams;
import org.lance.index.vector.SQBuildParams;
import org.lance.index.vector.VectorIndexParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds (or drops) the vector index {@value LanceIndexInfo#VECTOR_INDEX} of a table, records its
 * kind and partition count in the table config, and works out the search settings that go with it.
 * The caller holds the store's write lock.
 */
final class LanceIndexBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(LanceIndexBuilder.class);

    /** The index parameters {@link #build} knows. */
    static final Set<String> KNOWN_PARAMS =
            Set.of(
                    "num_partitions",
                    "num_sub_vectors",
                    "num_bits",
                    "m",
                    "ef_construction",
                    "sample_rate",
                    "max_iters",
                    "nprobes",
                    "refine_factor",
                    "ef");

    /**
     * What the table has after a build.
     *
     * @param type the index kind, or null for none (exact search)
     * @param tuning the search settings
     */
    record Built(IndexType type, SearchTuning tuning) {}

    private LanceIndexBuilder() {}

    /** The name of the BTREE index on {@code id}. */
    static final String ID_INDEX = "id_idx";

    /** Whether the table has the BTREE index on {@code id}. */
    static boolean hasIdIndex(Dataset dataset) {
        return dataset.listIndexes().contains(ID_INDEX);
    }

    /**
     * Rows in fragments the BTREE index on {@code id} does not cover (lookups scan them), or -1
     * when there is no such index.
     */
    static long unindexedIdRows(Dataset dataset) {
        java.util.Set<Integer> covered = new java.util.HashSet<>();
        boolean found = false;
        for (org.lance.index.Index index : dataset.getIndexes()) {
            if (ID_INDEX.equals(index.name())) {
                found = true;
                index.fragments().ifPresent(covered::addAll);
            }
        }
        if (!found) {
            return -1;
        }
        long rows = 0;
        for (org.lance.Fragment fragment : dataset.getFragments()) {
            if (!covered.contains(fragment.getId())) {
                rows += fragment.countRows();
            }
        }
        return rows;
    }

    /** Builds (replacing) the BTREE index on {@code id} over every row. */
    static void buildIdIndex(Dataset dataset, String table) {
        long start = System.nanoTime();
        dataset.createIndex(
                List.of(LanceSchema.ID),
                IndexType.BTREE,
                Optional.of(ID_INDEX),
                IndexParams.builder()
                        .setScalarIndexParams(BTreeIndexParams.builder().build())
                        .build(),
                true);
        LOG.debug(
                "Built the id index of {} in {} ms",
                table,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Adds the rows written since the last update to the BTREE index on {@code id}. */
    static void updateIdIndex(Dataset dataset, String table) {
        long start = System.nanoTime();
        dataset.optimizeIndices(OptimizeOptions.builder().indexNames(List.of(ID_INDEX)).build());
        LOG.debug(
                "Updated the id index of {} in {} ms",
                table,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Fails on parameters {@link #build} does not know, listing the known ones. */
    static void checkParams(IndexOptions request) {
        for (String key : request.params().keySet()) {
            if (!KNOWN_PARAMS.contains(key)) {
                throw new IllegalArgumentException(
                        "Unknown Lance index parameter '"
                                + key
                                + "' (known: "
                                + new java.util.TreeSet<>(KNOWN_PARAMS)
                                + ")");
            }
        }
    }

    /**
     * Builds the index {@code request} asks for. AUTO: none below {@code index_threshold} rows (an
     * existing index is dropped), IVF_HNSW_SQ above. NONE drops the index.
     *
     * @param current the kind of the index the table has now, or null
     */
    static Built build(
            Dataset dataset,
            String table,
            int dimension,
            IndexType current,
            IndexOptions request,
            LanceOptions options) {
        Map<String, String> p = request.params();
        long rows = dataset.countRows();
        IndexType type =
                switch (request.type()) {
                    case NONE -> null;
                    case AUTO -> rows >= options.indexThreshold() ? IndexType.IVF_HNSW_SQ : null;
                    case IVF_HNSW_SQ -> IndexType.IVF_HNSW_SQ;
                    case IVF_PQ -> IndexType.IVF_PQ;
                    case HNSW ->
                            throw new IllegalArgumentException(
                                    "Lance has no plain HNSW index; use IVF_HNSW_SQ");
                };
        if (type == null) {
            if (current != null) {
                dataset.dropIndex(LanceIndexInfo.VECTOR_INDEX);
                LOG.info("Dropped vector index of {}; search is exact", table);
            }
            return new Built(null, LanceIndexInfo.defaultTuning(null, 1, options));
        }
        if (rows < 256) {
            throw new IllegalArgumentException(
                    "Lance table '"
                            + table
                            + "' has "
                            + rows
                            + " rows; a vector index needs at least 256 (search is exact without one)");
        }
        int partitions = intParam(p, "num_partitions", defaultPartitions(type, rows));
        long start = System.nanoTime();
        dataset.createIndex(
                List.of(LanceSchema.VECTOR),
                type,
                Optional.of(LanceIndexInfo.VECTOR_INDEX),
                IndexParams.builder()
                        .setVectorIndexParams(vectorParams(type, partitions, dimension, p))
                        .build(),
                true);
        LOG.info(
                "Built {} index on {} ({} rows, {} partitions) in {} ms",
                type,
                table,
                rows,
                partitions,
                (System.nanoTime() - start) / 1_000_000);
        dataset.updateConfig(
                Map.of(
                        LanceIndexInfo.PARTITIONS_CONFIG,
                        String.valueOf(partitions),
                        LanceIndexInfo.INDEX_TYPE_CONFIG,
                        type.name()));
        SearchTuning d = LanceIndexInfo.defaultTuning(type, partitions, options);
        return new Built(
                type,
                new SearchTuning(
                        intParam(p, "nprobes", d.nprobes()),
                        intParam(p, "refine_factor", d.refineFactor()),
                        intParam(p, "ef", d.ef())));
    }

    private static VectorIndexParams vectorParams(
            IndexType type, int partitions, int dimension, Map<String, String> p) {
        IvfBuildParams.Builder ivf =
                new IvfBuildParams.Builder()
                        .setNumPartitions(partitions)
                        .setMaxIters(intParam(p, "max_iters", 50));
        if (p.containsKey("sample_rate")) {
            ivf.setSampleRate(intParam(p, "sample_rate", 256));
        }
        if (type == IndexType.IVF_PQ) {
            int subVectors = intParam(p, "num_sub_vectors", defaultSubVectors(dimension));
            if (dimension % subVectors != 0) {
                throw new IllegalArgumentException(
                        "num_sub_vectors "
                                + subVectors
                                + " must divide the dimension "
                                + dimension);
            }
            return VectorIndexParams.withIvfPqParams(
                    DistanceType.Cosine,
                    ivf.build(),
                    new PQBuildParams.Builder()
                            .setNumSubVectors(subVectors)
                            .setNumBits(intParam(p, "num_bits", 8))
                            .build());
        }
        return VectorIndexParams.withIvfHnswSqParams(
                DistanceType.Cosine,
                ivf.build(),
                new HnswBuildParams.Builder()
                        .setM(intParam(p, "m", 20))
                        .setEfConstruction(intParam(p, "ef_construction", 150))
                        .build(),
                new SQBuildParams.Builder().setNumBits((short) 8).build());
    }

    /** The default IVF partition count for a table of {@code rows} rows. */
    static int defaultPartitions(IndexType type, long rows) {
        if (type == IndexType.IVF_PQ) {
            return (int) Math.max(1, Math.min(4096, Math.round(Math.sqrt(rows) / 2)));
        }
        return (int) Math.max(1, Math.min(1024, rows / 131_072));
    }

    private static int defaultSubVectors(int dimension) {
        for (int s = Math.max(1, dimension / 16); s > 1; s--) {
            if (dimension % s == 0) {
                return s;
            }
        }
        return 1;
    }

    private static int intParam(Map<String, String> params, String key, int defaultValue) {
        String v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Index parameter '" + key + "' must be a positive integer, got '" + v + "'");
        }
    }
}
