package dev.clipsearch.store.qdrant;

import dev.clipsearch.store.StoreLocation;
import java.time.Duration;
import java.util.Set;

/**
 * The connection and collection settings of a Qdrant store: built by {@link
 * QdrantVectorStore.Builder}, which a {@code qdrant://host:port?...} store URI is parsed into.
 *
 * @param uri the settings as a store URI with the API key as {@code ***} (goes into every message)
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
        String uri,
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

    /** The default request deadline. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** The default number of retries of an UNAVAILABLE or DEADLINE_EXCEEDED request. */
    static final int DEFAULT_RETRIES = 3;

    /**
     * Parses {@code qdrant://host[:port][?param=value&...]} into a builder with the same options; a
     * clear error names what is wrong.
     */
    static QdrantVectorStore.Builder builder(StoreLocation location) {
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
        long timeoutMs = location.longParam("timeout_ms", 30_000);
        if (timeoutMs < 1) {
            throw new IllegalArgumentException(
                    "timeout_ms must be positive, got " + timeoutMs + " in " + location.redacted());
        }
        QdrantVectorStore.Builder builder =
                QdrantVectorStore.builder(host, port)
                        .apiKey(emptyToNull(location.param("apiKey", null)))
                        .tls(location.booleanParam("tls", false))
                        .shards((int) nonNegative(location, "shards", 0, 1024))
                        .replicas((int) nonNegative(location, "replicas", 0, 64))
                        .timeout(Duration.ofMillis(timeoutMs))
                        .retries((int) nonNegative(location, "retries", 3, 20))
                        .storeImages(location.booleanParam("store_images", true));
        String collection = emptyToNull(location.param("collection", null));
        if (collection != null) {
            builder.collection(collection);
        }
        return builder;
    }

    /** Parses {@code qdrant://host[:port][?param=value&...]} into settings. */
    static QdrantSettings parse(StoreLocation location) {
        return builder(location).settings();
    }

    /** The URI form of these settings, API key redacted. */
    static String uriOf(
            String endpoint,
            String collection,
            boolean apiKey,
            boolean tls,
            int shards,
            int replicas,
            Duration timeout,
            int retries,
            boolean storeImages) {
        StringBuilder sb = new StringBuilder("qdrant://").append(endpoint);
        java.util.List<String> params = new java.util.ArrayList<>();
        if (collection != null) {
            params.add("collection=" + collection);
        }
        if (apiKey) {
            params.add("apiKey=***");
        }
        if (tls) {
            params.add("tls=true");
        }
        if (shards > 0) {
            params.add("shards=" + shards);
        }
        if (replicas > 0) {
            params.add("replicas=" + replicas);
        }
        if (!timeout.equals(DEFAULT_TIMEOUT)) {
            params.add("timeout_ms=" + timeout.toMillis());
        }
        if (retries != DEFAULT_RETRIES) {
            params.add("retries=" + retries);
        }
        if (!storeImages) {
            params.add("store_images=false");
        }
        if (!params.isEmpty()) {
            sb.append('?').append(String.join("&", params));
        }
        return sb.toString();
    }

    /** {@code host:port}, for messages. */
    String endpoint() {
        return endpointOf(host, port);
    }

    static String endpointOf(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The collection to use: the {@code collection} parameter, else the table name. */
    String collectionFor(String table) {
        return collection != null ? collection : table;
    }

    @Override
    public String toString() {
        return uri;
    }

    private static long nonNegative(
            StoreLocation location, String key, long defaultValue, long max) {
        return location.longParam(key, defaultValue, 0, max);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
