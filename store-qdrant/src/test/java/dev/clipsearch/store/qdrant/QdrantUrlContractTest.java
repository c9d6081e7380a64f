package dev.clipsearch.store.qdrant;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The store contract against the Qdrant server named by the {@code QDRANT_URL} environment
 * variable, a store URI such as {@code qdrant://localhost:6334} or {@code
 * qdrant://db.example.com:6334?tls=true&apiKey=...}; skipped when it is not set.
 */
@EnabledIfEnvironmentVariable(
        named = "QDRANT_URL",
        matches = ".+",
        disabledReason =
                "NOT TESTED: the store contract on a Qdrant server you run (QDRANT_URL is not set)."
                        + " Run it with QDRANT_URL=qdrant://HOST:6334 ./mvnw -B -pl store-qdrant -am"
                        + " verify")
class QdrantUrlContractTest extends QdrantServerContractTest {

    @Override
    protected String serverUri() {
        return System.getenv("QDRANT_URL");
    }
}
