package dev.clipsearch.store.lance;

import dev.clipsearch.store.IndexOptions;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStoreContractTest;
import dev.clipsearch.store.VectorStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared VectorStore contract against a Lance table with a vector index: search tests build an
 * IVF_HNSW_SQ index once loaded ({@code createIndex(AUTO)} with an index threshold of 256 rows),
 * filtered searches go through the index with prefiltering ({@code exact_filter_rows=0}), and top-k
 * is checked by recall.
 */
class LanceIndexedContractTest extends VectorStoreContractTest {

    private static final String OPTIONS = "?index_threshold=256&exact_filter_rows=0";

    @TempDir Path dir;

    @Override
    protected VectorStore openStore(String table, int dimension) {
        return VectorStores.open("lance:" + dir.resolve("db") + OPTIONS, table, dimension);
    }

    @Override
    protected VectorStore reopenStore(String table, int dimension) {
        return VectorStores.open("lance:" + dir.resolve("db") + OPTIONS, table, dimension);
    }

    @Override
    protected void afterLoad(VectorStore store) {
        store.createIndex(IndexOptions.auto());
        if (((LanceVectorStore) store).vectorIndexType() == null) {
            throw new AssertionError("the indexed contract variant built no vector index");
        }
    }

    @Override
    protected boolean exactSearch() {
        return false;
    }
}
