package dev.clipsearch.store;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens a {@link VectorStore} by URI through the {@link VectorStoreProvider}s on the class path.
 */
public final class VectorStores {

    /** The default store URI: an embedded LanceDB database under {@code ./data/lancedb}. */
    public static final String DEFAULT_URI = "lance:./data/lancedb";

    /** The default table name. */
    public static final String DEFAULT_TABLE = "image_search";

    private VectorStores() {}

    /**
     * Opens (creating when absent) a table.
     *
     * @param uri the store URI, e.g. {@code lance:./data/lancedb}
     * @param table the table name
     * @param dimension the vector dimension, or 0 to take it from the existing table
     * @throws IllegalArgumentException when the URI is malformed or no backend serves its scheme
     * @throws StoreNotFoundException when the table does not exist and dimension is 0
     * @throws StoreSchemaException when the table exists with another dimension
     * @throws StoreException (or another subclass) when the backend cannot open the table
     */
    public static VectorStore open(String uri, String table, int dimension) {
        StoreLocation location = StoreLocation.parse(uri);
        return provider(location.scheme()).open(location, table, dimension);
    }

    /** Opens an existing table, taking its dimension from the table. */
    public static VectorStore openExisting(String uri, String table) {
        return open(uri, table, 0);
    }

    /** The provider for a scheme; a clear error lists the schemes available. */
    public static VectorStoreProvider provider(String scheme) {
        List<String> known = new ArrayList<>();
        for (VectorStoreProvider p : ServiceLoader.load(VectorStoreProvider.class)) {
            if (p.scheme().equalsIgnoreCase(scheme)) {
                return p;
            }
            known.add(p.scheme());
        }
        throw new IllegalArgumentException(
                "No vector store backend for scheme '"
                        + scheme
                        + "' on the class path (available: "
                        + known
                        + "). Add the dependency dev.clipsearch:store-"
                        + scheme
                        + " to the class path.");
    }
}
