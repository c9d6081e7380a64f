package dev.clipsearch.store.qdrant;

import dev.clipsearch.store.StoreLocation;
import java.time.Duration;
import java.util.Set;

/**
 * The connection and collection settings of a {@code qdrant://host:port?...} store URI.
 *
 * @param location the parsed URI (its {@link StoreLocation#redacted()} form goes into every
 *     message)
 * @param host the server host
 * @param port the gRPC port (default 6334; 6333 is Qdrant's REST port)
 * @param collection the {@code collection} parameter, or {@code null} to use the table name
 * @param apiKey the {@code apiKey} parameter, or {@code null}
 * @param tls whether to use TLS ({@code tls=true})
 * @param shards {@code shard_number} for a new collection, or 0 for the server default
 * @param replicas {@code replication_factor} for a new collection, or 0 for the server default
 * @param timeout the deadline of each request ({@code timeout_ms}, default 30 s)
 * @param retries how often an UNAVAILABLE or DEADLINE_EXCEEDED request is retried ({@code retries},
 *     default 3)
 * @param storeImages whether image bytes go into the payload ({@code store_images}, default true)
 */
record QdrantSettings(
        StoreLocation location,
        String host,
        int port,
        String collection,
        String apiKey,
        boolean tls,
        int shards,
        int replicas,
        Duration timeout,
        int retries,
        boolean storeImages) {

    /** Qdrant's default gRPC port. */
    static final int DEFAULT_GRPC_PORT = 6334;

    private static final Set<String> KNOWN_PARAMS =
            Set.of(
                    "collection",
                    "apiKey",
                    "tls",
                    "shards",
                    "replicas",
                    "timeout_ms",
                    "retries",
                    "store_images");

    /** Parses {@code qdrant://host[:port][?param=value&...]}; a clear error names what is wrong. */
    static QdrantSettings parse(StoreLocation location) {
        if (!location.scheme().equals("qdrant")) {
            throw new IllegalArgumentException("Not a Qdrant store URI: " + location.redacted());
        }
        location.requireKnownParams("Qdrant", KNOWN_PARAMS);
        String target = location.target();
        if (!target.startsWith("//") || target.length() == 2) {
            throw new IllegalArgumentException(
                    "Qdrant store URI must look like qdrant://HOST:PORT?collection=NAME, got "
                            + location.redacted());
        }
        String authority = target.substring(2);
        if (authority.endsWith("/")) {
            authority = authority.substring(0, authority.length() - 1);
        }
        if (authority.contains("/") || authority.contains("@")) {
            throw new IllegalArgumentException(
                    "Qdrant store URI takes no path or user info (put the collection in "
                            + "?collection=NAME and the key in &apiKey=...): "
                            + location.redacted());
        }
        String host = authority;
        int port = DEFAULT_GRPC_PORT;
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && !authority.endsWith("]")) {
            host = authority.substring(0, colon);
            String portText = authority.substring(colon + 1);
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Qdrant port '" + portText + "' is not a number in " + location.redacted());
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(
                        "Qdrant port " + port + " is out of range in " + location.redacted());
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException(
                    "Qdrant store URI has no host: " + location.redacted());
        }
        String collection = emptyToNull(location.param("collection", null));
        if (collection != null) {
            QdrantVectorStore.checkCollectionName(collection);
        }
        long timeoutMs = location.longParam("timeout_ms", 30_000);
        if (timeoutMs < 1) {
            throw new IllegalArgumentException(
                    "timeout_ms must be positive, got " + timeoutMs + " in " + location.redacted());
        }
        return new QdrantSettings(
                location,
                host,
                port,
                collection,
                emptyToNull(location.param("apiKey", null)),
                location.booleanParam("tls", false),
                (int) nonNegative(location, "shards", 0, 1024),
                (int) nonNegative(location, "replicas", 0, 64),
                Duration.ofMillis(timeoutMs),
                (int) nonNegative(location, "retries", 3, 20),
                location.booleanParam("store_images", true));
    }

    /** {@code host:port}, for messages. */
    String endpoint() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The collection to use: the {@code collection} parameter, else the table name. */
    String collectionFor(String table) {
        return collection != null ? collection : table;
    }

    @Override
    public String toString() {
        return location.redacted();
    }

    private static long nonNegative(
            StoreLocation location, String key, long defaultValue, long max) {
        return location.longParam(key, defaultValue, 0, max);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
