package dev.clipsearch.store.qdrant;

import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStoreContractTest;
import dev.clipsearch.store.VectorStores;
import org.junit.jupiter.api.AfterEach;

/**
 * The store contract against a real Qdrant server, through the public path ({@link
 * VectorStores#open} with a store URI). Each test creates its own {@code ct_*} collection and
 * deletes it afterwards.
 */
abstract class QdrantServerContractTest extends VectorStoreContractTest {

    /** The store URI of the server, {@code qdrant://host:port?...}. */
    protected abstract String serverUri();

    @AfterEach
    void dropCollection() {
        QdrantTestSupport.dropCollection(serverUri(), table);
    }

    @Override
    protected VectorStore openStore(String table, int dimension) {
        return VectorStores.open(serverUri(), table, dimension);
    }

    @Override
    protected VectorStore reopenStore(String table, int dimension) {
        return VectorStores.open(serverUri(), table, dimension);
    }
}
