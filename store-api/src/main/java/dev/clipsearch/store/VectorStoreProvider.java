package dev.clipsearch.store;

/**
 * A backend, found through {@link java.util.ServiceLoader} by the scheme of a store URI ({@code
 * lance:./data/lancedb}, {@code qdrant://host:6334?collection=image_search}, {@code memory:}).
 * Register an implementation in {@code META-INF/services/dev.clipsearch.store.VectorStoreProvider}.
 */
public interface VectorStoreProvider {

    /** The URI scheme this provider serves, lower case ("lance", "qdrant", "memory"). */
    String scheme();

    /**
     * Opens (creating when absent) a table.
     *
     * @param location the parsed store URI
     * @param table the table name; a backend-specific URI parameter (such as Qdrant's {@code
     *     collection}) overrides it
     * @param dimension the vector dimension, or 0 to take it from an existing table (an error if
     *     there is none)
     */
    VectorStore open(StoreLocation location, String table, int dimension);
}
