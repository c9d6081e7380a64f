package dev.clipsearch.store.qdrant;

import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.qdrant.QdrantContainer;

/**
 * The store contract against a real Qdrant in Docker; skipped, with a reason saying how to run it,
 * where there is no Docker engine.
 */
@Testcontainers
@EnabledIf(
        value = "dockerAvailable",
        disabledReason =
                "NOT TESTED: the store contract on a real Qdrant in Docker (no Docker engine here)."
                        + " Run it where Docker runs: ./mvnw -B -pl store-qdrant -am verify,"
                        + " or against any server: QDRANT_URL=qdrant://HOST:6334 ./mvnw -B -pl"
                        + " store-qdrant -am verify")
class QdrantTestcontainersContractTest extends QdrantServerContractTest {

    @Container
    private static final QdrantContainer QDRANT = new QdrantContainer("qdrant/qdrant:v1.15.5");

    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    @Override
    protected String serverUri() {
        return "qdrant://" + QDRANT.getGrpcHostAddress() + "?timeout_ms=60000";
    }
}
