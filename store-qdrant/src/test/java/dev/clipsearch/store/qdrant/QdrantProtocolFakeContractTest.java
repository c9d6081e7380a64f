package dev.clipsearch.store.qdrant;

import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStoreContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The store contract against {@link QdrantProtocolFake} over an in-process gRPC transport. */
class QdrantProtocolFakeContractTest extends VectorStoreContractTest {

    private static QdrantProtocolFake fake;

    @BeforeAll
    static void startFake() {
        fake = QdrantProtocolFake.inProcess(null);
    }

    @AfterAll
    static void stopFake() throws InterruptedException {
        fake.close();
    }

    @AfterEach
    void dropCollections() {
        fake.deleteAllCollections();
    }

    @Override
    protected VectorStore openStore(String table, int dimension) {
        return QdrantTestSupport.openInProcess(fake, "", table, dimension);
    }

    @Override
    protected VectorStore reopenStore(String table, int dimension) {
        return QdrantTestSupport.openInProcess(fake, "", table, dimension);
    }
}
