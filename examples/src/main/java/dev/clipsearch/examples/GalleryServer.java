package dev.clipsearch.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
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
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
 *       as a multipart form field (at most {@value #MAX_UPLOAD_BYTES} bytes);
 *   <li>{@code GET /api/images/ID}: the stored image bytes, with their content type;
 *   <li>{@code GET /api/labels}, {@code GET /api/info}: the labels present, the table's size.
 * </ul>
 *
 * Errors are JSON {@code {"error": "..."}} with a 4xx status (5xx for failures of the server
 * itself), never stack traces. Requests are served concurrently. Binds to 127.0.0.1 unless told
 * otherwise.
 */
public final class GalleryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GalleryServer.class);

    /** The longest text query accepted, in characters. */
    public static final int MAX_QUERY_LENGTH = 300;

    /** The largest upload accepted, in bytes. */
    public static final int MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

    /** The largest k accepted. */
    public static final int MAX_K = 100;

    /** k when the request gives none. */
    public static final int DEFAULT_K = 12;

    /** The most distinct labels {@code /api/labels} lists. */
    static final int MAX_LABELS = 10_000;

    /** The page loads nothing but its own files. */
    private static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; img-src 'self' data: blob:; "
                    + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

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

    private final ImageSearch search;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper();
    private volatile Map<Integer, String> labels;

    private GalleryServer(ImageSearch search, HttpServer server, ExecutorService executor) {
        this.search = search;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving {@code search} on {@code host:port} (port 0: any free port). The search stays
     * open after {@link #close()}; closing it is the caller's job.
     */
    public static GalleryServer start(ImageSearch search, String host, int port)
            throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 64);
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        ExecutorService executor = Executors.newFixedThreadPool(threads, galleryThreads());
        GalleryServer gallery = new GalleryServer(search, http, executor);
        http.createContext("/", gallery.guarded(gallery::serveStatic));
        http.createContext("/api/search", gallery.guarded(gallery::serveSearch));
        http.createContext("/api/images/", gallery.guarded(gallery::serveImage));
        http.createContext("/api/labels", gallery.guarded(gallery::serveLabels));
        http.createContext("/api/info", gallery.guarded(gallery::serveInfo));
        http.setExecutor(executor);
        http.start();
        LOG.info("Gallery at {}", gallery.url());
        return gallery;
    }

    /** The port served. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The page's address, e.g. {@code http://127.0.0.1:7860/}. */
    public URI url() {
        String host = server.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** Stops serving (waits up to a second for requests in flight). */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private HttpHandler guarded(Handler handler) {
        return exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
                try {
                    handler.handle(exchange);
                } catch (HttpError e) {
                    if (e.status == 413) {
                        drain(exchange.getRequestBody());
                    }
                    sendError(exchange, e.status, e.getMessage());
                } catch (ImageDecodeException e) {
                    sendError(exchange, 400, "Not a readable image: " + e.reason());
                } catch (IllegalArgumentException e) {
                    sendError(exchange, 400, e.getMessage());
                } catch (IOException e) {
                    LOG.debug("Request {} failed: {}", exchange.getRequestURI(), e.toString());
                } catch (RuntimeException e) {
                    LOG.warn("Request {} failed", exchange.getRequestURI(), e);
                    sendError(exchange, 500, "The search failed: " + e.getMessage());
                }
            }
        };
    }

    /**
     * The most bytes of a refused upload read (and dropped) so that the client sees the answer, not
     * a reset.
     */
    private static final long MAX_DRAIN_BYTES = 4L * MAX_UPLOAD_BYTES;

    private static void drain(InputStream body) {
        try {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while (total < MAX_DRAIN_BYTES && (n = body.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException e) {
            LOG.debug("Draining a refused upload failed: {}", e.toString());
        }
    }

    private void sendError(HttpExchange exchange, int status, String message) {
        try {
            ObjectNode body =
                    json.createObjectNode().put("error", message == null ? "error" : message);
            send(exchange, status, "application/json; charset=utf-8", json.writeValueAsBytes(body));
        } catch (IOException | RuntimeException e) {
            LOG.debug(
                    "Cannot send error response: {}",
                    e.toString()); // the response was already started
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void sendJson(HttpExchange exchange, Object body) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, 200, "application/json; charset=utf-8", json.writeValueAsBytes(body));
    }

    private static void requireMethod(HttpExchange exchange, String... methods) {
        String m = exchange.getRequestMethod();
        for (String allowed : methods) {
            if (allowed.equals(m)) {
                return;
            }
        }
        exchange.getResponseHeaders().set("Allow", String.join(", ", methods));
        throw new HttpError(
                405, "Method " + m + " is not allowed here; use " + String.join(" or ", methods));
    }

    // ---- static page
    // ----------------------------------------------------------------------------------------

    private void serveStatic(HttpExchange exchange) throws IOException {
        requireMethod(exchange, "GET", "HEAD");
        String file = STATIC_FILES.get(exchange.getRequestURI().getPath());
        if (file == null) {
            throw new HttpError(404, "No such page: " + exchange.getRequestURI().getPath());
        }
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
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        send(exchange, 200, type, body);
    }

    // ---- search
    // -----------------------------------------------------------------------------------------------

    private void serveSearch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Map<String, String> params = queryParams(exchange.getRequestURI().getRawQuery());
        int k = parseK(params.get("k"));
        Filter filter = parseLabel(params.get("label"));
        if (path.equals("/api/search")) {
            requireMethod(exchange, "GET");
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
            sendJson(exchange, results(q, k, params.get("label"), hits));
        } else if (path.equals("/api/search/image")) {
            requireMethod(exchange, "POST");
            byte[] image = uploadedImage(exchange);
            ImageInfo info = ClipImages.probe(image, "uploaded image");
            if (info.pixelCount() > ClipImages.DEFAULT_MAX_PIXELS) {
                throw new HttpError(
                        413,
                        "The image is too large ("
                                + info.width()
                                + "x"
                                + info.height()
                                + " pixels; at most "
                                + ClipImages.DEFAULT_MAX_PIXELS
                                + " pixels)");
            }
            List<ImageHit> hits = search.findSimilarHits(image, "uploaded image", k, filter);
            sendJson(exchange, results(null, k, params.get("label"), hits));
        } else {
            throw new HttpError(404, "No such API: " + path);
        }
    }

    private ObjectNode results(String query, int k, String label, List<ImageHit> hits) {
        ObjectNode body = json.createObjectNode();
        if (query != null) {
            body.put("query", query);
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

    /** The uploaded image: the raw body, or the first file part of a multipart form. */
    private static byte[] uploadedImage(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > MAX_UPLOAD_BYTES + 64 * 1024L) {
                    throw new HttpError(
                            413,
                            "The upload is too large (at most "
                                    + MAX_UPLOAD_BYTES / (1024 * 1024)
                                    + " MB)");
                }
            } catch (NumberFormatException e) {
                throw new HttpError(400, "Bad Content-Length");
            }
        }
        byte[] body = readLimited(exchange.getRequestBody(), MAX_UPLOAD_BYTES + 64 * 1024);
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        byte[] image = body;
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            image = Multipart.firstFile(body, type);
        }
        if (image.length > MAX_UPLOAD_BYTES) {
            throw new HttpError(
                    413,
                    "The upload is too large (at most "
                            + MAX_UPLOAD_BYTES / (1024 * 1024)
                            + " MB)");
        }
        if (image.length == 0) {
            throw new HttpError(400, "No image was uploaded");
        }
        return image;
    }

    private static byte[] readLimited(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > limit) {
                throw new HttpError(
                        413,
                        "The upload is too large (at most "
                                + MAX_UPLOAD_BYTES / (1024 * 1024)
                                + " MB)");
            }
        }
        return out.toByteArray();
    }

    // ---- images
    // -----------------------------------------------------------------------------------------------

    private void serveImage(HttpExchange exchange) throws IOException {
        requireMethod(exchange, "GET", "HEAD");
        String raw = exchange.getRequestURI().getRawPath().substring("/api/images/".length());
        String id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        if (!ID.matcher(id).matches() || id.contains("..")) {
            throw new HttpError(400, "Bad image id '" + shorten(id) + "'");
        }
        byte[] bytes = search.imageBytes(id).orElse(null);
        if (bytes == null) {
            throw new HttpError(404, "No image with id '" + id + "'");
        }
        String type = "application/octet-stream";
        try {
            type = contentType(ClipImages.probe(bytes, id).format());
        } catch (ImageDecodeException e) {
            LOG.debug("Stored image {} has an unknown format: {}", id, e.reason());
        }
        exchange.getResponseHeaders().set("Cache-Control", "public, max-age=86400");
        send(exchange, 200, type, bytes);
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

    // ---- labels and info
    // --------------------------------------------------------------------------------------

    private void serveLabels(HttpExchange exchange) throws IOException {
        requireMethod(exchange, "GET");
        ArrayNode out = json.createArrayNode();
        labels().forEach((label, name) -> out.addObject().put("label", label).put("name", name));
        sendJson(exchange, out);
    }

    private Map<Integer, String> labels() {
        Map<Integer, String> l = labels;
        if (l == null) {
            synchronized (this) {
                if (labels == null) {
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
                    labels = found;
                }
                l = labels;
            }
        }
        return l;
    }

    private void serveInfo(HttpExchange exchange) throws IOException {
        requireMethod(exchange, "GET");
        TableInfo info = search.store().info();
        ObjectNode body = json.createObjectNode();
        body.put("table", info.table()).put("rows", info.rows()).put("dimension", info.dimension());
        sendJson(exchange, body);
    }

    /** Daemon threads (the server never keeps the JVM alive) named gallery-http-pool-N-thread-M. */
    private static ThreadFactory galleryThreads() {
        ThreadFactory defaults = Executors.defaultThreadFactory();
        return task -> {
            Thread thread = defaults.newThread(task);
            thread.setName("gallery-http-" + thread.getName());
            thread.setDaemon(true);
            return thread;
        };
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
