package dev.clipsearch.store;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A table of {@link ImageRecord}s with cosine nearest-neighbour search. Every backend (LanceDB,
 * Qdrant, in-memory) passes the same contract test suite.
 *
 * <p>The vector dimension is fixed per table; every call that carries vectors checks it and fails
 * with {@link IllegalArgumentException} before anything is written. Implementations are
 * thread-safe: concurrent readers may run while one writer upserts.
 *
 * <p>Failures of the store itself are {@link StoreException}s: {@link StoreNotFoundException},
 * {@link StoreSchemaException}, {@link StoreUnavailableException}, {@link
 * StoreAccessDeniedException}, {@link StoreLockedException}, {@link StoreSetupException}. A closed
 * store throws {@link IllegalStateException}.
 */
public interface VectorStore extends AutoCloseable {

    /** The table (collection) name. */
    String tableName();

    /** The table's vector dimension. */
    int dimension();

    /** The number of records. */
    long count();

    /**
     * Inserts or replaces records by id; idempotent (a rerun never duplicates). The whole batch is
     * validated (non-null, dimension, finite values, no duplicate ids in the batch) before anything
     * is written.
     */
    void upsert(List<ImageRecord> records);

    /** Nearest neighbours by cosine similarity, best first. */
    List<SearchHit> search(SearchRequest request);

    /** Shorthand for {@code search(SearchRequest.of(vector, k))}. */
    default List<SearchHit> search(float[] vector, int k) {
        return search(SearchRequest.of(vector, k));
    }

    /** The record with this id, with its image bytes, or empty. */
    Optional<ImageRecord> get(String id);

    /**
     * The stored records with these ids, without their image bytes, keyed by id (ids not stored are
     * absent). Used to compare what is stored with what a resumed job would write. Backends that
     * can fetch many ids in one read override the default (one {@link #get} per id).
     */
    default Map<String, ImageRecord> getAll(Collection<String> ids) {
        Map<String, ImageRecord> out = new LinkedHashMap<>();
        for (String id : ids) {
            get(id).ifPresent(r -> out.put(id, r.withoutImageBytes()));
        }
        return out;
    }

    /** Which of these ids are stored (for resuming a job). */
    Set<String> existingIds(Collection<String> ids);

    /** Deletes records by id; returns how many existed. */
    long delete(Collection<String> ids);

    /**
     * Visits every record (in no particular order), with or without the image bytes. Used by
     * evaluation and export; memory stays bounded by the backend's batch size.
     */
    void scan(boolean includeImageBytes, Consumer<ImageRecord> consumer);

    /** Builds (or rebuilds) the vector index. */
    void createIndex(IndexOptions options);

    /** Name, row count, dimension and index of the table. */
    TableInfo info();

    /**
     * Facts about the whole table (which model and precision made it, which datasets it holds), as
     * written by {@link #putTableMetadata}; empty for a table that has none (for example one
     * written before table metadata existed). Reflects the latest write this handle has seen.
     */
    Map<String, String> tableMetadata();

    /**
     * Merges {@code entries} into the table metadata: their keys are set (replacing earlier
     * values), other keys are kept. A write: stores with a writer lock take it. Keys are 1-128
     * characters of letters, digits, '.', '_' and '-'; values are non-null and at most {@value
     * VectorChecks#MAX_TABLE_METADATA_VALUE} characters.
     *
     * @throws IllegalArgumentException when a key or value is invalid (nothing is written)
     */
    void putTableMetadata(Map<String, String> entries);

    /**
     * Makes writes committed by other handles (another process indexing into the same table)
     * visible to this one; cheap when nothing changed (a version check). Backends that always read
     * the latest state (in-memory tables shared within the JVM, a server such as Qdrant) return
     * false.
     *
     * @return whether this handle now sees a newer version of the table
     */
    default boolean refresh() {
        return false;
    }

    /** Releases every resource (native memory, connections). Idempotent. */
    @Override
    void close();
}
