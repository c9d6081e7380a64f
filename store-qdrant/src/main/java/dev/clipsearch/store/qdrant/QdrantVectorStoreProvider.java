package dev.clipsearch.store.qdrant;

import dev.clipsearch.store.StoreLocation;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStoreProvider;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.qdrant.client.QdrantGrpcClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code qdrant} store backend: a collection on a Qdrant server or cluster, over gRPC.
 *
 * <p>URI: {@code qdrant://HOST[:PORT][?param=value&...]}; PORT is the gRPC port (default 6334).
 * Parameters:
 *
 * <ul>
 *   <li>{@code collection}: the collection name (default: the table name, {@code image_search})
 *   <li>{@code apiKey}: the server's API key (never logged; {@link StoreLocation#redacted()} hides
 *       it)
 *   <li>{@code tls}: {@code true} to connect with TLS (needed with an API key outside a trusted
 *       network)
 *   <li>{@code shards}, {@code replicas}: {@code shard_number} and {@code replication_factor} of a
 *       collection this backend creates (server defaults when absent; ignored for an existing
 *       collection)
 *   <li>{@code timeout_ms}: deadline of each request (default 30000); {@code retries}: how often a
 *       request that failed with UNAVAILABLE or DEADLINE_EXCEEDED is retried with backoff (default
 *       3)
 *   <li>{@code store_images}: {@code false} keeps image bytes out of Qdrant (hits and records then
 *       carry {@code null} bytes)
 * </ul>
 *
 * The collection is created when absent (one unnamed vector of the table's dimension, Cosine, an
 * integer payload index on {@code label}); an existing one must have the same size and distance.
 *
 * <p>This is a thin layer over {@link QdrantVectorStore#builder(String, int)}: the URI is parsed
 * into the builder's typed options.
 */
public final class QdrantVectorStoreProvider implements VectorStoreProvider {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantVectorStoreProvider.class);

    /**
     * Largest reply accepted (scan pages and searches with image bytes are big; gRPC's default is 4
     * MB).
     */
    private static final int MAX_INBOUND_MESSAGE_BYTES = 256 << 20;

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public QdrantVectorStoreProvider() {}

    @Override
    public String scheme() {
        return "qdrant";
    }

    @Override
    public VectorStore open(StoreLocation location, String table, int dimension) {
        return QdrantSettings.builder(location).dimension(dimension).openTable(table);
    }

    /**
     * A client for the server the settings name (plaintext or TLS; the channel closes with the
     * client).
     */
    static QdrantGrpcClient connect(QdrantSettings settings) {
        if (settings.apiKey() != null && !settings.tls() && !isLoopback(settings.host())) {
            LOG.warn(
                    "Sending the Qdrant API key without TLS to {}; enable TLS (tls=true in the store URI)",
                    settings.endpoint());
        }
        ManagedChannelBuilder<?> channel =
                ManagedChannelBuilder.forAddress(settings.host(), settings.port())
                        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                        .userAgent("clip-search");
        if (settings.tls()) {
            channel.useTransportSecurity();
        } else {
            channel.usePlaintext();
        }
        return client(channel.build(), settings);
    }

    /**
     * A client on {@code channel} (closed with the client) with the settings' API key and deadline.
     */
    static QdrantGrpcClient client(ManagedChannel channel, QdrantSettings settings) {
        QdrantGrpcClient.Builder builder =
                QdrantGrpcClient.newBuilder(channel, true, false).withTimeout(settings.timeout());
        if (settings.apiKey() != null) {
            builder.withApiKey(settings.apiKey());
        }
        return builder.build();
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
    }
}
