package dev.clipsearch.store.qdrant;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.qdrant.QdrantContainer;

/** The store contract against a real Qdrant in Docker; skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class QdrantTestcontainersContractTest extends QdrantServerContractTest {

    @Container
    private static final QdrantContainer QDRANT = new QdrantContainer("qdrant/qdrant:v1.15.5");

    @Override
    protected String serverUri() {
        return "qdrant://" + QDRANT.getGrpcHostAddress() + "?timeout_ms=60000";
    }
}
