package dev.clipsearch.store.lance;

import java.util.Collection;
import java.util.Map;
import org.lance.Dataset;
import org.lance.index.Index;
import org.lance.index.IndexType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Introspection of a table's vector index: which kind it is, how many IVF partitions it has (as
 * recorded by {@link LanceIndexBuilder} in the table config, else as Lance reports it), and the
 * search settings that follow from them.
 */
final class LanceIndexInfo {

    private static final Logger LOG = LoggerFactory.getLogger(LanceIndexInfo.class);

    /**
     * Table config key recording the kind of the vector index (Lance itself reports only VECTOR).
     */
    static final String INDEX_TYPE_CONFIG = "clip_search.index_type";

    /** Table config key recording the IVF partition count of the vector index. */
    static final String PARTITIONS_CONFIG = "clip_search.ivf_partitions";

    /** LanceDB's default name for the index on {@code vector}. */
    static final String VECTOR_INDEX = "vector_idx";

    /** Search parameters of the current index. */
    record SearchTuning(int nprobes, int refineFactor, int ef) {}

    private LanceIndexInfo() {}

    /**
     * The kind of the stored vector index, or null: recorded in the table config, else as Lance
     * reports it.
     */
    static IndexType currentVectorIndex(Dataset dataset) {
        for (Index index : dataset.getIndexes()) {
            if (VECTOR_INDEX.equals(index.name())) {
                String recorded = dataset.getConfig().get(INDEX_TYPE_CONFIG);
                if (recorded != null) {
                    try {
                        return IndexType.valueOf(recorded);
                    } catch (IllegalArgumentException e) {
                        LOG.warn("Unknown index type '{}' recorded in {}", recorded, dataset.uri());
                    }
                }
                return index.indexType();
            }
        }
        return null;
    }

    /** The search settings of the table's current index ({@code type} null: exact search). */
    static SearchTuning tuningOf(Dataset dataset, IndexType type, LanceOptions options) {
        return defaultTuning(type, type == null ? 1 : storedPartitions(dataset), options);
    }

    /**
     * The IVF partition count of the stored vector index: recorded in the table config when this
     * store builds the index, else read from Lance's index statistics (an index built by LanceDB).
     */
    static int storedPartitions(Dataset dataset) {
        try {
            String recorded = dataset.getConfig().get(PARTITIONS_CONFIG);
            if (recorded != null) {
                return Integer.parseInt(recorded);
            }
            Object n = find(dataset.getIndexStatistics(VECTOR_INDEX), "num_partitions");
            if (n instanceof Number number) {
                return number.intValue();
            }
            LOG.warn(
                    "No num_partitions in the index statistics of {}; probing 8 partitions",
                    dataset.uri());
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the index partitions of {}: {}", dataset.uri(), e.toString());
        }
        return 8;
    }

    private static Object find(Object node, String key) {
        if (node instanceof Map<?, ?> map) {
            if (map.containsKey(key)) {
                return map.get(key);
            }
            return findIn(map.values(), key);
        } else if (node instanceof Collection<?> list) {
            return findIn(list, key);
        }
        return null;
    }

    private static Object findIn(Collection<?> nodes, String key) {
        for (Object v : nodes) {
            Object found = find(v, key);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /**
     * Search settings for an index with {@code partitions} IVF partitions: measured defaults
     * (LanceIndexTest and the store benchmark reach recall@10 >= 0.95 with them), overridden by the
     * store options.
     */
    static SearchTuning defaultTuning(IndexType type, int partitions, LanceOptions options) {
        int nprobes;
        int refine;
        if (type == IndexType.IVF_PQ) {
            nprobes = Math.min(partitions, Math.max(20, partitions / 8));
            refine = 10;
        } else {
            nprobes = Math.min(partitions, Math.max(8, partitions / 4));
            refine = 2;
        }
        return new SearchTuning(
                options.nprobes() > 0 ? options.nprobes() : Math.max(1, nprobes),
                options.refineFactor() > 0 ? options.refineFactor() : refine,
                options.ef() > 0 ? options.ef() : 150);
    }

    /** How {@link dev.clipsearch.store.TableInfo#index()} describes the index. */
    static String describe(IndexType type, SearchTuning tuning) {
        return type == null
                ? "none (exact)"
                : type
                        + " (nprobes="
                        + tuning.nprobes()
                        + ", refine_factor="
                        + tuning.refineFactor()
                        + ")";
    }
}
