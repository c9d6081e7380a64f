package dev.clipsearch.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.core.ClipImages;
import dev.clipsearch.core.ImageDecodeException;
import dev.clipsearch.core.ImageInfo;
import dev.clipsearch.search.ImageHit;
import dev.clipsearch.search.ImageSearch;
import dev.clipsearch.search.Metadata;
import dev.clipsearch.store.Filter;
import dev.clipsearch.store.TableInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gallery web app: a page with a search box, a gallery of results, query by example (upload)
 * and a label filter, over a small JSON API:
 *
 * <ul>
 *   <li>{@code GET /api/search?q=TEXT&k=12&label=N}: {@code {"query":..., "k":...,
 *       "results":[{"id", "label", "labelName", "score", "url"}, ...]}} best first;
 *   <li>{@code POST /api/search/image?k=12&label=N}: the same for an image sent as the raw body or
 *       as a multipart form field (at most {@value #MAX_UPLOAD_BYTES} bytes and {@link
 *       Options#maxUploadPixels} pixels);
 *   <li>{@code GET /api/search/similar?id=ID&k=12&label=N}: the same for a stored image;
 *   <li>{@code GET /api/images/ID}: the stored image bytes, with their content type;
 *   <li>{@code GET /api/labels}, {@code GET /api/info}: the labels present, the table's size.
 * </ul>
 *
 * Errors are JSON {@code {"error": "..."}} with a 4xx status (5xx for failures of the server
 * itself), never stack traces or HTML, Jetty's own errors for malformed requests included. Unknown
 * paths are 404, unknown labels 400, a Host header that is not ours 421 (see {@link HostCheck}).
 *
 * <p>Runs on Jetty 12 (core handlers, no servlets): non-blocking I/O, so a client that stalls
 * mid-request holds a connection (closed after {@link Options#idleTimeout}) but no thread; a
 * bounded thread pool, a connection limit, a request header limit and a bounded request body. At
 * most {@link Options#maxConcurrentDecodes} uploads are decoded at once; others wait up to {@link
 * Options#decodeWait}, then get 503. Binds to 127.0.0.1 unless told otherwise.
 */
public final class GalleryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GalleryServer.class);

    /** The longest text query accepted, in characters. */
    public static final int MAX_QUERY_LENGTH = 300;

    /** The largest upload accepted, in bytes. */
    public static final int MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

    /** The largest uploaded image by default, in pixels: 25 million (100 MB decoded). */
    public static final long DEFAULT_MAX_UPLOAD_PIXELS = 25_000_000L;

    /** The largest k accepted. */
    public static final int MAX_K = 100;

    /** k when the request gives none. */
    public static final int DEFAULT_K = 12;

    /** The most distinct labels {@code /api/labels} lists. */
    static final int MAX_LABELS = 10_000;

    /** The largest request body read: an upload plus room for its multipart framing. */
    static final int MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024;

    /** The page loads nothing but its own files. */
    private static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; img-src 'self' data: blob:; "
                    + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private static final String JSON_TYPE = JsonErrorHandler.JSON_TYPE;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._\\-]{0,199}");
    private static final String STATIC_ROOT = "/dev/clipsearch/examples/gallery/";
    private static final Map<String, String> STATIC_FILES =
            Map.of(
                    "/",
                    "index.html",
                    "/index.html",
                    "index.html",
                    "/app.js",
                    "app.js",
                    "/style.css",
                    "style.css");

    /**
     * How the server listens and what it bounds. Immutable; {@link #defaults()} or {@link
     * #builder()}.
     *
     * @param host the address to bind ({@code 0.0.0.0} or {@code ::}: every interface)
     * @param port the port (0: any free port)
     * @param allowedHosts Host header names answered besides localhost, 127.0.0.1, [::1] and the
     *     bound address ({@code *}: any)
     * @param idleTimeout a connection with no traffic for this long is closed, a half-sent request
     *     included
     * @param maxThreads the worker threads (requests served at once)
     * @param maxConnections open connections at most; more wait to be accepted
     * @param requestHeaderBytes the largest request line plus headers (larger: 431)
     * @param maxUploadPixels the largest uploaded image, width times height, checked from its
     *     header before decoding (larger: 413)
     * @param maxConcurrentDecodes how many uploaded or stored images are decoded at once
     * @param decodeWait how long a request waits for a decode slot before a 503
     */
    public record Options(
            String host,
            int port,
            List<String> allowedHosts,
            Duration idleTimeout,
            int maxThreads,
            int maxConnections,
            int requestHeaderBytes,
            long maxUploadPixels,
            int maxConcurrentDecodes,
            Duration decodeWait) {

        /** Checks the values. */
        public Options {
            Objects.requireNonNull(host, "host");
            allowedHosts = List.copyOf(allowedHosts);
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(decodeWait, "decodeWait");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            if (maxThreads < 4) {
                throw new IllegalArgumentException("maxThreads must be at least 4");
            }
            if (maxConnections < 1 || requestHeaderBytes < 1024 || maxConcurrentDecodes < 1) {
                throw new IllegalArgumentException(
                        "maxConnections and maxConcurrentDecodes must be positive and"
                                + " requestHeaderBytes at least 1024");
            }
            if (maxUploadPixels < 1) {
                throw new IllegalArgumentException("maxUploadPixels must be positive");
            }
        }

        /**
         * 127.0.0.1:7860, idle timeout 30 s, 16 threads, 256 connections, 8 KiB of headers, {@link
         * #DEFAULT_MAX_UPLOAD_PIXELS}, 2 concurrent decodes waited for up to 2 s.
         */
        public static Options defaults() {
            return builder().build();
        }

        /** A builder holding the defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}; every setter returns the builder. */
        public static final class Builder {
            private String host = "127.0.0.1";
            private int port = 7860;
            private List<String> allowedHosts = List.of();
            private Duration idleTimeout = Duration.ofSeconds(30);
            private int maxThreads = 16;
            private int maxConnections = 256;
            private int requestHeaderBytes = 8 * 1024;
            private long maxUploadPixels = DEFAULT_MAX_UPLOAD_PIXELS;
            private int maxConcurrentDecodes = 2;
            private Duration decodeWait = Duration.ofSeconds(2);

            private Builder() {}

            /** The address and port to bind. */
            public Builder address(String host, int port) {
                this.host = host;
                this.port = port;
                return this;
            }

            /** Host names answered besides the loopback names and the bound address. */
            public Builder allowedHosts(List<String> hosts) {
                this.allowedHosts = hosts;
                return this;
            }

            /** The idle timeout of a connection. */
            public Builder idleTimeout(Duration timeout) {
                this.idleTimeout = timeout;
                return this;
            }

            /** The worker threads. */
            public Builder maxThreads(int threads) {
                this.maxThreads = threads;
                return this;
            }

            /** The open connections at most. */
            public Builder maxConnections(int connections) {
                this.maxConnections = connections;
                return this;
            }

            /** The bounds on decoding uploads. */
            public Builder decodeLimits(
                    long maxUploadPixels, int maxConcurrentDecodes, Duration decodeWait) {
                this.maxUploadPixels = maxUploadPixels;
                this.maxConcurrentDecodes = maxConcurrentDecodes;
                this.decodeWait = decodeWait;
                return this;
            }

            /** The options; checks the values. */
            public Options build() {
                return new Options(
                        host,
                        port,
                        allowedHosts,
                        idleTimeout,
                        maxThreads,
                        maxConnections,
                        requestHeaderBytes,
                        maxUploadPixels,
                        maxConcurrentDecodes,
                        decodeWait);
            }
        }

        /** Whether the host is the address of every interface. */
        boolean wildcard() {
            String h = host.strip();
            return h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.isEmpty();
        }
    }

    private final ImageSearch search;
    private final Options options;
    private final Server server;
    private final ServerConnector connector;
    private final HostCheck hostCheck;
    private final Semaphore decodes;
    private final ObjectMapper json = new ObjectMapper();
    private volatile Labels labels;

    /** The labels found by one scan and the row count it saw. */
    private record Labels(Map<Integer, String> names, long rows) {}

    private GalleryServer(ImageSearch search, Options options) {
        this.search = search;
        this.options = options;
        this.hostCheck = new HostCheck(options.host(), options.wildcard(), options.allowedHosts());
        this.decodes = new Semaphore(options.maxConcurrentDecodes(), true);

        QueuedThreadPool threads = new QueuedThreadPool(options.maxThreads(), 4, 60_000);
        threads.setName("gallery-http");
        threads.setDaemon(true); // the server never keeps the JVM alive
        threads.setReservedThreads(0);
        this.server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(options.requestHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // %2F and friends reach the handler, which refuses them as bad ids (no file system here)
        http.setUriCompliance(
                UriCompliance.DEFAULT.with(
                        "gallery",
                        UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                        UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                        UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(options.wildcard() ? null : options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        connector.setAcceptQueueSize(64);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(options.maxConnections(), connector));
        server.setErrorHandler(new JsonErrorHandler());
        server.setHandler(new Api());
        server.setStopTimeout(1000);
    }

    /**
     * Starts serving {@code search} on {@code host:port} (port 0: any free port) with the default
     * limits. The search stays open after {@link #close()}; closing it is the caller's job.
     */
    public static GalleryServer start(ImageSearch search, String host, int port)
            throws IOException {
        return start(search, Options.builder().address(host, port).build());
    }

    /**
     * Starts serving {@code search} as {@code options} say. The search stays open after {@link
     * #close()}; closing it is the caller's job.
     *
     * @throws IOException when the address cannot be bound
     */
    public static GalleryServer start(ImageSearch search, Options options) throws IOException {
        GalleryServer gallery = new GalleryServer(search, options);
        try {
            gallery.server.start();
        } catch (IOException e) {
            gallery.close();
            throw e;
        } catch (Exception e) {
            gallery.close();
            throw new IOException(e.getMessage(), e);
        }
        LOG.info("Gallery at {}", gallery.url());
        return gallery;
    }

    /** The port served. */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * The page's address on this machine, e.g. {@code http://127.0.0.1:7860/}; the loopback address
     * when bound to every interface.
     */
    public URI url() {
        String host = options.wildcard() ? "127.0.0.1" : options.host().strip();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /**
     * A warning to print on start when the server listens beyond this machine (bound to every
     * interface or to a non-loopback address); empty otherwise.
     */
    public Optional<String> exposureWarning() {
        boolean loopback;
        try {
            loopback =
                    !options.wildcard()
                            && InetAddress.getByName(options.host()).isLoopbackAddress();
        } catch (IOException e) {
            loopback = false;
        }
        if (loopback) {
            return Optional.empty();
        }
        String where =
                options.wildcard()
                        ? "every network interface (http://"
                                + (options.host().contains(":") ? "[::]" : "0.0.0.0")
                                + ":"
                                + port()
                                + "/)"
                        : options.host();
        return Optional.of(
                "WARNING: the gallery listens on "
                        + where
                        + ": anyone who can reach this machine can search the table and read its"
                        + " images (no authentication, no TLS). On this machine: "
                        + url()
                        + ". Other machines must use one of these Host names: "
                        + String.join(", ", hostCheck.allowed())
                        + " (add yours with --allowed-host NAME).");
    }

    /** Stops serving (waits up to a second for requests in flight). */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("Stopping the gallery server: {}", e.toString());
        }
    }

    /** The decode permits: package-private for tests. */
    Semaphore decodePermits() {
        return decodes;
    }

    /** An HTTP error to report as {@code {"error": message}}. */
    static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A response ready to send. */
    private record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Reply of(int status, String contentType, byte[] body) {
            return new Reply(status, contentType, body, new LinkedHashMap<>());
        }

        Reply header(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    /** The one handler: routes by exact path, answers every error as JSON. */
    private final class Api extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Reply reply;
            try {
                reply = route(request);
            } catch (HttpError e) {
                if (e.status == 413) {
                    drain(request);
                }
                reply = error(e.status, e.getMessage());
                if (e.status == 405) {
                    reply.header("Allow", allowed(Request.getPathInContext(request)));
                }
                if (e.status == 503) {
                    reply.header("Retry-After", "1");
                }
            } catch (ImageDecodeException e) {
                reply = error(400, "Not a readable image: " + e.reason());
            } catch (IllegalArgumentException e) {
                reply = error(400, e.getMessage());
            } catch (IOException e) {
                // the client went away mid-request: nothing to answer, the connection is closed
                LOG.debug("Request {} failed: {}", request.getHttpURI(), e.toString());
                callback.failed(e);
                return true;
            } catch (RuntimeException e) {
                LOG.warn("Request {} failed", request.getHttpURI(), e);
                reply = error(500, "The search failed: " + e.getMessage());
            }
            send(request, response, callback, reply);
            return true;
        }
    }

    private void send(Request request, Response response, Callback callback, Reply reply) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        reply.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        boolean head = "HEAD".equals(request.getMethod());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        // a failed write (the client left) fails the callback; Jetty then closes the connection
        response.write(true, head ? null : ByteBuffer.wrap(reply.body()), callback);
    }

    private Reply error(int status, String message) {
        return Reply.of(status, JSON_TYPE, JsonErrorHandler.body(message))
                .header("Cache-Control", "no-store");
    }

    private Reply json(Object body) throws IOException {
        return Reply.of(200, JSON_TYPE, json.writeValueAsBytes(body))
                .header("Cache-Control", "no-store");
    }

    private Reply route(Request request) throws IOException {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (!hostCheck.allows(host)) {
            throw new HttpError(
                    421,
                    "This server does not answer for the host '"
                            + shorten(host)
                            + "' (a guard against DNS rebinding). Use "
                            + url()
                            + ", or start it with --allowed-host "
                            + shorten(HostCheck.stripPort(host))
                            + " to allow that name.");
        }
        String path = request.getHttpURI().getPath();
        Map<String, String> params = queryParams(request.getHttpURI().getQuery());
        String method = request.getMethod();
        if (path.startsWith("/api/images/")) {
            requireMethod(method, "GET", "HEAD");
            return image(path.substring("/api/images/".length()));
        }
        switch (path) {
            case "/api/search" -> {
                requireMethod(method, "GET");
                return textSearch(params);
            }
            case "/api/search/image" -> {
                requireMethod(method, "POST");
                return imageSearch(request, params);
            }
            case "/api/search/similar" -> {
                requireMethod(method, "GET");
                return similarSearch(params);
            }
            case "/api/labels" -> {
                requireMethod(method, "GET");
                ArrayNode out = json.createArrayNode();
                labels(false)
                        .names()
                        .forEach(
                                (label, name) ->
                                        out.addObject().put("label", label).put("name", name));
                return json(out);
            }
            case "/api/info" -> {
                requireMethod(method, "GET");
                TableInfo info = search.store().info();
                ObjectNode body = json.createObjectNode();
                body.put("table", info.table())
                        .put("rows", info.rows())
                        .put("dimension", info.dimension());
                return json(body);
            }
            default -> {
                String file = STATIC_FILES.get(path);
                if (file == null) {
                    throw new HttpError(
                            404,
                            (path.startsWith("/api/") ? "No such API: " : "No such page: ")
                                    + shorten(path));
                }
                requireMethod(method, "GET", "HEAD");
                return staticFile(file);
            }
        }
    }

    private static String allowed(String path) {
        return switch (path) {
            case "/api/search/image" -> "POST";
            case "/api/search", "/api/search/similar", "/api/labels", "/api/info" -> "GET";
            default -> "GET, HEAD";
        };
    }

    private static void requireMethod(String method, String... methods) {
        for (String allowed : methods) {
            if (allowed.equals(method)) {
                return;
            }
        }
        throw new HttpError(
                405,
                "Method " + method + " is not allowed here; use " + String.join(" or ", methods));
    }

    // ---- static page
    // ----------------------------------------------------------------------------------------

    private static Reply staticFile(String file) throws IOException {
        byte[] body;
        try (InputStream in = GalleryServer.class.getResourceAsStream(STATIC_ROOT + file)) {
            if (in == null) {
                throw new IllegalStateException(
                        "The page resource " + file + " is missing from the jar");
            }
            body = in.readAllBytes();
        }
        String type =
                file.endsWith(".html")
                        ? "text/html; charset=utf-8"
                        : file.endsWith(".js")
                                ? "text/javascript; charset=utf-8"
                                : "text/css; charset=utf-8";
        return Reply.of(200, type, body)
                .header("Cache-Control", "no-cache")
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    }

    // ---- search
    // -----------------------------------------------------------------------------------------------

    private Reply textSearch(Map<String, String> params) throws IOException {
        int k = parseK(params.get("k"));
        Filter filter = labelFilter(params.get("label"));
        String q = params.getOrDefault("q", "").strip();
        if (q.isEmpty()) {
            throw new HttpError(400, "The query is empty: type what the images should show");
        }
        if (q.length() > MAX_QUERY_LENGTH) {
            throw new HttpError(
                    400,
                    "The query is too long ("
                            + q.length()
                            + " characters; at most "
                            + MAX_QUERY_LENGTH
                            + ")");
        }
        List<ImageHit> hits = search.findHits(q, k, filter);
        return json(results(q, null, k, params.get("label"), hits));
    }

    private Reply imageSearch(Request request, Map<String, String> params) throws IOException {
        int k = parseK(params.get("k"));
        Filter filter = labelFilter(params.get("label"));
        byte[] image = uploadedImage(request);
        ImageInfo info = ClipImages.probe(image, "uploaded image");
        if (info.pixelCount() > options.maxUploadPixels()) {
            throw new HttpError(
                    413,
                    "The image is too large ("
                            + info.width()
                            + "x"
                            + info.height()
                            + " pixels; uploads may have at most "
                            + options.maxUploadPixels()
                            + " pixels): scale it down and upload it again");
        }
        List<ImageHit> hits =
                decoding(() -> search.findSimilarHits(image, "uploaded image", k, filter));
        return json(results(null, null, k, params.get("label"), hits));
    }

    private Reply similarSearch(Map<String, String> params) throws IOException {
        int k = parseK(params.get("k"));
        Filter filter = labelFilter(params.get("label"));
        String id = checkedId(params.getOrDefault("id", ""));
        byte[] image =
                search.imageBytes(id)
                        .orElseThrow(() -> new HttpError(404, "No image with id '" + id + "'"));
        List<ImageHit> hits = decoding(() -> search.findSimilarHits(image, id, k, filter));
        return json(results(null, id, k, params.get("label"), hits));
    }

    @FunctionalInterface
    private interface Decoding<T> {
        T run();
    }

    /** Runs a decode within the bound on concurrent decodes; 503 when none frees up in time. */
    private <T> T decoding(Decoding<T> work) {
        boolean acquired;
        try {
            acquired = decodes.tryAcquire(options.decodeWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new HttpError(
                    503,
                    "The server is busy decoding other images ("
                            + options.maxConcurrentDecodes()
                            + " at a time): try again in a moment");
        }
        try {
            return work.run();
        } finally {
            decodes.release();
        }
    }

    private ObjectNode results(
            String query, String similarTo, int k, String label, List<ImageHit> hits) {
        ObjectNode body = json.createObjectNode();
        if (query != null) {
            body.put("query", query);
        }
        if (similarTo != null) {
            body.put("similarTo", similarTo);
        }
        body.put("k", k);
        if (label != null && !label.isBlank()) {
            body.put("label", Integer.parseInt(label.strip()));
        }
        ArrayNode results = body.putArray("results");
        for (ImageHit hit : hits) {
            ObjectNode r = results.addObject();
            r.put("id", hit.id());
            r.put("label", hit.label());
            r.put("labelName", hit.labelName());
            r.put("score", hit.score());
            r.put("url", "/api/images/" + hit.id());
        }
        return body;
    }

    static int parseK(String k) {
        if (k == null || k.isBlank()) {
            return DEFAULT_K;
        }
        int n;
        try {
            n = Integer.parseInt(k.strip());
        } catch (NumberFormatException e) {
            throw new HttpError(
                    400,
                    "k must be a whole number between 1 and "
                            + MAX_K
                            + ", got '"
                            + shorten(k)
                            + "'");
        }
        if (n < 1 || n > MAX_K) {
            throw new HttpError(400, "k must be between 1 and " + MAX_K + ", got " + n);
        }
        return n;
    }

    static Filter parseLabel(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        try {
            return Filter.labelEquals(Integer.parseInt(label.strip()));
        } catch (NumberFormatException e) {
            throw new HttpError(400, "label must be a class number, got '" + shorten(label) + "'");
        }
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /**
     * The filter for a label parameter; 400 when it is not a number or no stored image has that
     * label (the labels are scanned again when the table has grown since the last scan).
     */
    private Filter labelFilter(String label) {
        Filter filter = parseLabel(label);
        if (filter == null) {
            return null;
        }
        int n = Integer.parseInt(label.strip());
        Labels known = labels(false);
        if (!known.names().containsKey(n) && known.names().size() < MAX_LABELS) {
            known = labels(true);
        }
        if (!known.names().containsKey(n) && known.names().size() < MAX_LABELS) {
            throw new HttpError(
                    400,
                    "No image has label "
                            + n
                            + ": GET /api/labels lists the "
                            + known.names().size()
                            + " labels of this table");
        }
        return filter;
    }

    /** The uploaded image: the raw body, or the first file part of a multipart form. */
    private static byte[] uploadedImage(Request request) throws IOException {
        long length = request.getLength();
        if (length > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        byte[] body = readLimited(Request.asInputStream(request), MAX_BODY_BYTES);
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        byte[] image = body;
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            image = Multipart.firstFile(body, type);
        }
        if (image.length > MAX_UPLOAD_BYTES) {
            throw tooLarge();
        }
        if (image.length == 0) {
            throw new HttpError(400, "No image was uploaded");
        }
        return image;
    }

    private static HttpError tooLarge() {
        return new HttpError(
                413,
                "The upload is too large (at most "
                        + MAX_UPLOAD_BYTES / (1024 * 1024)
                        + " MB): send a smaller image");
    }

    private static byte[] readLimited(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            if (out.size() > limit) {
                throw tooLarge();
            }
        }
        return out.toByteArray();
    }

    /**
     * The most bytes of a refused upload read (and dropped) so that the client sees the answer, not
     * a reset; beyond it Jetty closes the connection after answering.
     */
    private static final long MAX_DRAIN_BYTES = 4L * MAX_UPLOAD_BYTES;

    private static void drain(Request request) {
        try {
            InputStream body = Request.asInputStream(request);
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while (total < MAX_DRAIN_BYTES && (n = body.read(buf)) >= 0) {
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Draining a refused upload failed: {}", e.toString());
        }
    }

    // ---- images
    // -----------------------------------------------------------------------------------------------

    private static String checkedId(String id) {
        if (!ID.matcher(id).matches() || id.contains("..")) {
            throw new HttpError(400, "Bad image id '" + shorten(id) + "'");
        }
        return id;
    }

    private Reply image(String rawId) {
        String id;
        try {
            id = URLDecoder.decode(rawId, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "Bad image id '" + shorten(rawId) + "': bad percent-encoding");
        }
        checkedId(id);
        byte[] bytes =
                search.imageBytes(id)
                        .orElseThrow(() -> new HttpError(404, "No image with id '" + id + "'"));
        String type = "application/octet-stream";
        try {
            type = contentType(ClipImages.probe(bytes, id).format());
        } catch (ImageDecodeException e) {
            LOG.debug("Stored image {} has an unknown format: {}", id, e.reason());
        }
        return Reply.of(200, type, bytes).header("Cache-Control", "public, max-age=86400");
    }

    static String contentType(String format) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "jpeg", "jpg" -> "image/jpeg";
            case "png" -> "image/png";
            case "gif" -> "image/gif";
            case "bmp" -> "image/bmp";
            case "webp" -> "image/webp";
            case "tiff", "tif" -> "image/tiff";
            default -> "application/octet-stream";
        };
    }

    // ---- labels
    // --------------------------------------------------------------------------------------

    /**
     * The labels present, from one scan of the table, cached; {@code rescan}: scan again if the
     * table has grown.
     */
    private Labels labels(boolean rescan) {
        Labels l = labels;
        if (l != null && !rescan) {
            return l;
        }
        synchronized (this) {
            l = labels;
            long rows = search.store().count();
            if (l == null || (rescan && rows != l.rows())) {
                Map<Integer, String> found = new TreeMap<>();
                search.store()
                        .scan(
                                false,
                                r -> {
                                    if (found.size() < MAX_LABELS) {
                                        found.putIfAbsent(
                                                r.label(),
                                                r.metadata()
                                                        .getOrDefault(
                                                                Metadata.LABEL_NAME,
                                                                Integer.toString(r.label())));
                                    }
                                });
                l = new Labels(found, rows);
                labels = l;
            }
            return l;
        }
    }

    static Map<String, String> queryParams(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String key =
                        URLDecoder.decode(
                                eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value =
                        eq < 0
                                ? ""
                                : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.putIfAbsent(key, value);
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "Badly encoded query string");
            }
        }
        return params;
    }
}
