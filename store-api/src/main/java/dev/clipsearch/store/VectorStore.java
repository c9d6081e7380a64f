package dev.clipsearch.store;

import java.util.Collection;
import java.util.List;
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

    /** Releases every resource (native memory, connections). Idempotent. */
    @Override
    void close();
}
