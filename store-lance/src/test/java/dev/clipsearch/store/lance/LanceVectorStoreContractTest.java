package dev.clipsearch.store.lance;

import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStoreContractTest;
import dev.clipsearch.store.VectorStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared VectorStore contract against a Lance table in a temporary directory (exact search).
 */
class LanceVectorStoreContractTest extends VectorStoreContractTest {

    @TempDir Path dir;

    @Override
    protected VectorStore openStore(String table, int dimension) {
        return VectorStores.open("lance:" + dir.resolve("db"), table, dimension);
    }

    @Override
    protected VectorStore reopenStore(String table, int dimension) {
        return VectorStores.open("lance:" + dir.resolve("db"), table, dimension);
    }
}
