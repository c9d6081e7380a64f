package dev.clipsearch.store.qdrant;

import dev.clipsearch.store.StoreLocation;
import dev.clipsearch.store.VectorStore;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import java.util.concurrent.ExecutionException;

/** Opening stores on the fake, and cleaning up collections on real servers. */
final class QdrantTestSupport {

    private QdrantTestSupport() {}

    /**
     * Opens a store on an in-process fake; {@code query} is the store URI's query string (may be
     * empty).
     */
    static VectorStore openInProcess(
            QdrantProtocolFake fake, String query, String table, int dimension) {
        QdrantSettings settings =
                QdrantSettings.parse(
                        StoreLocation.parse(
                                "qdrant://in-process:6334" + (query.isEmpty() ? "" : "?" + query)));
        return QdrantVectorStore.open(
                QdrantVectorStoreProvider.client(fake.inProcessChannel(), settings),
                settings,
                table,
                dimension);
    }

    /** Deletes a collection on the server a store URI names (no error when it does not exist). */
    static void dropCollection(String uri, String collection) {
        try (QdrantGrpcClient client =
                QdrantVectorStoreProvider.connect(QdrantSettings.parse(StoreLocation.parse(uri)))) {
            client.collections()
                    .delete(DeleteCollection.newBuilder().setCollectionName(collection).build())
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Could not delete test collection " + collection, e.getCause());
        }
    }
}
