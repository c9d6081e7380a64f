package dev.clipsearch.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An in-process stand-in for the Hugging Face Hub on 127.0.0.1 (random port), for tests of this and
 * other modules. It serves the Hub's URL layout and headers:
 *
 * <ul>
 *   <li>{@code HEAD|GET /{id}/resolve/{revision}/{path}} (and {@code /datasets/{id}/...}) with
 *       {@code ETag}, {@code X-Repo-Commit}, {@code Content-Length}, Range support; "LFS" files
 *       (&gt;= 1 MiB, or {@code .safetensors}/{@code .parquet}) answer 302 to {@code
 *       http://localhost:<port>/lfs-objects/{sha256}} (another host name, like the Hub's CDN) with
 *       {@code X-Linked-Etag} and {@code X-Linked-Size}, like the Hub's CDN redirect; other files
 *       have the git blob sha1 as ETag;
 *   <li>{@code GET /api/{models|datasets}/{id}/tree/{revision}[/{path}]?recursive=true} with {@code
 *       Link: <...>; rel="next"} pagination ({@link #setPageSize(int)});
 *   <li>{@code GET /api/{models|datasets}/{id}/revision/{revision}} ({@code sha});
 *   <li>404 with {@code X-Error-Code: RepoNotFound | RevisionNotFound | EntryNotFound}.
 * </ul>
 *
 * Revisions are URL-encoded as one path segment (e.g. {@code refs%2Fconvert%2Fparquet}); a commit
 * hash of a revision is accepted as revision too. Fault injection: {@link #requireToken}, {@link
 * #cutConnectionAfter}, {@link #corruptBody}, {@link #failNext}. All requests are recorded ({@link
 * #requests()}).
 */
public final class LocalHubServer implements AutoCloseable {

    /** Files of at least this size are served as LFS files. */
    public static final int LFS_THRESHOLD = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("^bytes=(\\d+)-(\\d*)$");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String endpoint;
    private final Map<String, Map<String, Revision>> repos = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> rangeRequests = new CopyOnWriteArrayList<>();
    private final List<String> tokenRequests = new CopyOnWriteArrayList<>();
    private final String cdnBase;
    private final Map<String, Long> cuts = new ConcurrentHashMap<>();
    private final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failureStatus = 503;
    private volatile String requiredToken;
    private volatile int pageSize = 1000;
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final Map<String, long[]> stalls = new ConcurrentHashMap<>();

    private static final class Revision {
        volatile String commit;
        final NavigableMap<String, Entry> files = new ConcurrentSkipListMap<>();

        Revision(String commit) {
            this.commit = commit;
        }
    }

    private record Entry(String path, byte[] content, boolean lfs, String gitOid, String sha256) {}

    private LocalHubServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        int port = server.getAddress().getPort();
        this.endpoint = "http://127.0.0.1:" + port;
        // LFS objects are served from another host name, like the Hub's CDN, so that clients must
        // not follow the
        // HEAD's redirect nor send the token there ("localhost" reaches the same socket)
        this.cdnBase = localhostIsIpv4Loopback() ? "http://localhost:" + port : null;
    }

    private static boolean localhostIsIpv4Loopback() {
        try {
            return InetAddress.getByName("localhost").getHostAddress().equals("127.0.0.1");
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts a server on 127.0.0.1 on a free port. */
    public static LocalHubServer start() {
        try {
            HttpServer server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            ExecutorService executor =
                    Executors.newCachedThreadPool(
                            r -> {
                                Thread t = new Thread(r, "local-hub-server");
                                t.setDaemon(true);
                                return t;
                            });
            server.setExecutor(executor);
            LocalHubServer hub = new LocalHubServer(server, executor);
            server.createContext("/", hub::handle);
            server.start();
            return hub;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the local hub server", e);
        }
    }

    /**
     * Base URL, e.g. {@code http://127.0.0.1:43817}; use it as {@code
     * HfHub.builder().endpoint(...)}.
     */
    public String endpoint() {
        return endpoint;
    }

    /** Adds (or replaces) a file in the repository at {@code repo.revision()}. */
    public void addFile(HubRepo repo, String path, byte[] content) {
        Objects.requireNonNull(path, "path");
        byte[] copy = content.clone();
        boolean lfs =
                copy.length >= LFS_THRESHOLD
                        || path.endsWith(".safetensors")
                        || path.endsWith(".parquet");
        String sha256 = hex("SHA-256", copy);
        byte[] stored =
                lfs
                        ? ("version https://git-lfs.github.com/spec/v1\noid sha256:"
                                        + sha256
                                        + "\nsize "
                                        + copy.length
                                        + "\n")
                                .getBytes(StandardCharsets.UTF_8)
                        : copy;
        String gitOid = gitBlobSha1(stored);
        revision(repo).files.put(path, new Entry(path, copy, lfs, gitOid, sha256));
    }

    /** Adds all regular files under {@code dir} (recursively) with their relative paths. */
    public void addDirectory(HubRepo repo, Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    addFile(
                            repo,
                            dir.relativize(p).toString().replace('\\', '/'),
                            Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + dir, e);
        }
    }

    /**
     * Sets the commit hash {@code repo.revision()} points to (default: a deterministic fake hash).
     */
    public void setCommit(HubRepo repo, String commitSha) {
        if (!commitSha.matches("[0-9a-f]{40}")) {
            throw new IllegalArgumentException("Not a 40-hex commit hash: " + commitSha);
        }
        revision(repo).commit = commitSha;
    }

    /** The commit hash {@code repo.revision()} points to. */
    public String commit(HubRepo repo) {
        return revision(repo).commit;
    }

    /** sha256 (hex) of a file's content, i.e. its ETag if it is served as LFS. */
    public String sha256(HubRepo repo, String path) {
        return entry(repo, path).sha256();
    }

    /** The ETag the server sends for the file: sha256 for LFS files, git blob sha1 otherwise. */
    public String etag(HubRepo repo, String path) {
        Entry e = entry(repo, path);
        return e.lfs() ? e.sha256() : e.gitOid();
    }

    /** Tree-listing page size (default 1000). */
    public void setPageSize(int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be >= 1");
        }
        this.pageSize = pageSize;
    }

    /** All requests so far, as "METHOD /raw/path?query", in arrival order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** Number of requests so far. */
    public int requestCount() {
        return requests.size();
    }

    /** Requests that carried a Range header, as "METHOD /raw/path bytes=N-". */
    public List<String> rangeRequests() {
        return List.copyOf(rangeRequests);
    }

    /**
     * Requests that carried an Authorization header, as "METHOD /raw/path" (the token itself is not
     * kept).
     */
    public List<String> requestsWithToken() {
        return List.copyOf(tokenRequests);
    }

    /**
     * Base URL LFS downloads are redirected to: {@code http://localhost:<port>}, another host name
     * than {@link #endpoint()} like the Hub's CDN (the same as the endpoint where "localhost" is
     * not 127.0.0.1).
     */
    public String cdnBase() {
        return cdnBase != null ? cdnBase : endpoint;
    }

    /** Forgets recorded requests. */
    public void clearRequests() {
        requests.clear();
        rangeRequests.clear();
        tokenRequests.clear();
    }

    /**
     * From now on, Hub endpoints (not LFS objects) answer 401 without {@code Bearer token}, 403
     * with another.
     */
    public void requireToken(String token) {
        this.requiredToken = token;
    }

    /**
     * The next body served for the file {@code path} (any repo) stops after {@code bytes} bytes
     * (once).
     */
    public void cutConnectionAfter(String path, long bytes) {
        cuts.put(path, bytes);
    }

    /**
     * Bodies served for the file {@code path} (any repo) have one byte flipped (same length), from
     * now on.
     */
    public void corruptBody(String path) {
        corrupt.add(path);
    }

    /**
     * The next body served for {@code path} (any repo) sends {@code bytes} bytes, then sends
     * nothing for {@code stallMillis} and drops the connection (once): exercises the client's read
     * timeout.
     */
    public void stallAfter(String path, long bytes, long stallMillis) {
        stalls.put(path, new long[] {bytes, stallMillis});
    }

    /**
     * Requests for {@code oldRepo}'s id answer 307 with a relative {@code Location} naming {@code
     * newRepo}'s id, like the Hub does for renamed repositories (types must match).
     */
    public void renameRepo(HubRepo oldRepo, HubRepo newRepo) {
        if (oldRepo.type() != newRepo.type()) {
            throw new IllegalArgumentException("A rename keeps the repository type");
        }
        renamed.put(oldRepo.type().name() + ":" + oldRepo.id(), newRepo.id());
    }

    /** The next {@code times} requests fail with HTTP {@code status}. */
    public void failNext(int times, int status) {
        failureStatus = status;
        failures.set(times);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String repoKey(HubRepo repo) {
        return repo.type().name() + ":" + repo.id();
    }

    private Revision revision(HubRepo repo) {
        return repos.computeIfAbsent(repoKey(repo), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        repo.revision(),
                        r ->
                                new Revision(
                                        CacheLayout.isCommitHash(r)
                                                ? r
                                                : hex(
                                                        "SHA-1",
                                                        (repoKey(repo) + "@" + r)
                                                                .getBytes(
                                                                        StandardCharsets.UTF_8))));
    }

    private Entry entry(HubRepo repo, String path) {
        Entry e = revision(repo).files.get(path);
        if (e == null) {
            throw new IllegalArgumentException("No file " + path + " in " + repo);
        }
        return e;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            String method = ex.getRequestMethod();
            requests.add(method + " " + raw + (query != null ? "?" + query : ""));
            if (ex.getRequestHeaders().getFirst("Authorization") != null) {
                tokenRequests.add(method + " " + raw);
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                rangeRequests.add(method + " " + raw + " " + range);
            }
            if (failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                error(ex, failureStatus, null, "Injected failure");
                return;
            }
            List<String> seg = new ArrayList<>(Arrays.asList(raw.substring(1).split("/", -1)));
            if (seg.size() >= 2 && seg.get(0).equals("lfs-objects")) {
                serveLfsObject(ex, seg.get(1));
                return;
            }
            if (!authorized(ex)) {
                return;
            }
            if (seg.size() >= 4 && seg.get(0).equals("api")) {
                RepoType type =
                        seg.get(1).equals("datasets")
                                ? RepoType.DATASET
                                : seg.get(1).equals("models") ? RepoType.MODEL : null;
                int op = indexOfOp(seg, 2, "tree", "revision");
                if (type != null && op > 0 && op + 1 < seg.size()) {
                    String id = String.join("/", seg.subList(2, op));
                    String rev = decode(seg.get(op + 1));
                    String path = decodeJoin(seg.subList(op + 2, seg.size()));
                    if (seg.get(op).equals("tree")) {
                        serveTree(ex, type, id, rev, path, query);
                    } else {
                        serveRevision(ex, type, id, rev);
                    }
                    return;
                }
            } else {
                RepoType type = RepoType.MODEL;
                int start = 0;
                if (!seg.isEmpty() && seg.get(0).equals("datasets")) {
                    type = RepoType.DATASET;
                    start = 1;
                }
                int op = indexOfOp(seg, start, "resolve");
                if (op > start && op + 2 < seg.size()) {
                    String id = String.join("/", seg.subList(start, op));
                    serveResolve(
                            ex,
                            type,
                            id,
                            decode(seg.get(op + 1)),
                            decodeJoin(seg.subList(op + 2, seg.size())));
                    return;
                }
            }
            error(ex, 404, null, "Not found: " + raw);
        } catch (IOException e) {
            // client went away or injected cut: nothing to answer
        }
    }

    private static int indexOfOp(List<String> seg, int start, String... ops) {
        for (int i = start + 1; i <= start + 2 && i < seg.size(); i++) {
            for (String op : ops) {
                if (seg.get(i).equals(op)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        String required = requiredToken;
        if (required == null) {
            return true;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
            error(
                    ex,
                    401,
                    null,
                    "Access to this resource is restricted: you must be authenticated.");
            return false;
        }
        if (!auth.equals("Bearer " + required)) {
            error(ex, 403, null, "Invalid credentials in Authorization header");
            return false;
        }
        return true;
    }

    /**
     * Finds the revision (by name or by its commit hash); answers the Hub's 404 and returns null if
     * missing.
     */
    private Revision findRevision(HttpExchange ex, RepoType type, String id, String rev)
            throws IOException {
        String newId = renamed.get(type.name() + ":" + id);
        if (newId != null) {
            String raw = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            String prefix =
                    type == RepoType.DATASET && !raw.startsWith("/api/") ? "/datasets/" : "/";
            String from =
                    raw.startsWith("/api/")
                            ? "/" + type.plural() + "/" + id + "/"
                            : prefix + id + "/";
            String to =
                    raw.startsWith("/api/")
                            ? "/" + type.plural() + "/" + newId + "/"
                            : prefix + newId + "/";
            ex.getResponseHeaders()
                    .set(
                            "Location",
                            raw.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to))
                                    + (query != null ? "?" + query : ""));
            ex.sendResponseHeaders(307, -1);
            return null;
        }
        Map<String, Revision> revisions = repos.get(type.name() + ":" + id);
        if (revisions == null) {
            error(ex, 404, "RepoNotFound", "Repository not found");
            return null;
        }
        Revision r = revisions.get(rev);
        if (r == null) {
            r =
                    revisions.values().stream()
                            .filter(x -> x.commit.equals(rev))
                            .findFirst()
                            .orElse(null);
        }
        if (r == null) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
        }
        return r;
    }

    private void serveResolve(HttpExchange ex, RepoType type, String id, String rev, String path)
            throws IOException {
        Revision r = findRevision(ex, type, id, rev);
        if (r == null) {
            return;
        }
        Entry e = r.files.get(path);
        if (e == null) {
            ex.getResponseHeaders().set("X-Repo-Commit", r.commit);
            error(ex, 404, "EntryNotFound", "Entry not found");
            return;
        }
        Headers h = ex.getResponseHeaders();
        h.set("X-Repo-Commit", r.commit);
        h.set("Accept-Ranges", "bytes");
        if (e.lfs()) {
            h.set("X-Linked-Etag", "\"" + e.sha256() + "\"");
            h.set("X-Linked-Size", Long.toString(e.content().length));
            h.set("ETag", "W/\"" + e.gitOid() + "\"");
            h.set("Location", cdnBase() + "/lfs-objects/" + e.sha256() + "?path=" + encode(path));
            ex.sendResponseHeaders(302, -1);
            return;
        }
        h.set("ETag", "\"" + e.gitOid() + "\"");
        sendContent(ex, e);
    }

    private void serveLfsObject(HttpExchange ex, String sha) throws IOException {
        Entry e =
                repos.values().stream()
                        .flatMap(m -> m.values().stream())
                        .flatMap(r -> r.files.values().stream())
                        .filter(x -> x.lfs() && x.sha256().equals(sha))
                        .findFirst()
                        .orElse(null);
        if (e == null) {
            error(ex, 404, null, "No such object");
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + sha + "\"");
        if (cdnBase == null) {
            // same host as the endpoint: clients follow the HEAD's redirect here, so the metadata
            // must be here too
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Integer.toString(e.content().length));
            ex.getResponseHeaders()
                    .set(
                            "X-Repo-Commit",
                            repos.values().stream()
                                    .flatMap(m -> m.values().stream())
                                    .filter(r -> r.files.containsValue(e))
                                    .map(r -> r.commit)
                                    .findFirst()
                                    .orElse(""));
        }
        sendContent(ex, e);
    }

    private void sendContent(HttpExchange ex, Entry e) throws IOException {
        byte[] body = e.content();
        if (corrupt.contains(e.path()) && body.length > 0) {
            body = body.clone();
            body[body.length / 2] ^= 0x5a;
        }
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", "application/octet-stream");
        int from = 0;
        int to = body.length;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            long start = m.matches() ? Long.parseLong(m.group(1)) : -1;
            if (start < 0 || start >= body.length) {
                h.set("Content-Range", "bytes */" + body.length);
                error(ex, 416, null, "Range not satisfiable");
                return;
            }
            long end =
                    m.group(2).isEmpty()
                            ? body.length - 1
                            : Math.min(Long.parseLong(m.group(2)), body.length - 1);
            from = (int) start;
            to = (int) end + 1;
            status = 206;
            h.set("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + body.length);
        }
        int len = to - from;
        if (ex.getRequestMethod().equals("HEAD")) {
            h.set("Content-Length", Integer.toString(len));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        Long cut = cuts.remove(e.path());
        long[] stall = stalls.remove(e.path());
        ex.sendResponseHeaders(status, len == 0 ? -1 : len);
        OutputStream out = ex.getResponseBody();
        if (stall != null && stall[0] < len) {
            out.write(body, from, (int) stall[0]);
            out.flush();
            try {
                Thread.sleep(stall[1]);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (cut != null && cut < len) {
            out.write(body, from, (int) (long) cut);
            out.flush();
            // closing before Content-Length bytes were written drops the connection: the client
            // sees a cut
            return;
        }
        out.write(body, from, len);
    }

    private void serveTree(
            HttpExchange ex, RepoType type, String id, String rev, String path, String query)
            throws IOException {
        Revision r = findRevision(ex, type, id, rev);
        if (r == null) {
            return;
        }
        boolean recursive =
                query != null && query.toLowerCase().matches("(^|.*&)recursive=(true|1)(&.*|$)");
        int cursor = 0;
        if (query != null) {
            Matcher m = Pattern.compile("(?:^|&)cursor=(\\d+)").matcher(query);
            if (m.find()) {
                cursor = Integer.parseInt(m.group(1));
            }
        }
        String prefix = path.isEmpty() ? "" : path + "/";
        if (!path.isEmpty() && r.files.keySet().stream().noneMatch(p -> p.startsWith(prefix))) {
            error(ex, 404, "EntryNotFound", path + " does not exist on \"" + rev + "\"");
            return;
        }
        List<ObjectNode> items = new ArrayList<>();
        Set<String> dirs = new TreeSet<>();
        for (Entry e : r.files.values()) {
            if (!e.path().startsWith(prefix)) {
                continue;
            }
            String rest = e.path().substring(prefix.length());
            String[] parts = rest.split("/");
            for (int i = 1; i < parts.length && (recursive || i == 1); i++) {
                dirs.add(prefix + String.join("/", Arrays.asList(parts).subList(0, i)));
            }
            if (!recursive && parts.length > 1) {
                continue;
            }
            ObjectNode n = JSON.createObjectNode();
            n.put("type", "file")
                    .put("oid", e.gitOid())
                    .put("size", e.lfs() ? 134 : e.content().length)
                    .put("path", e.path());
            if (e.lfs()) {
                n.putObject("lfs")
                        .put("oid", e.sha256())
                        .put("size", e.content().length)
                        .put("pointerSize", 134);
            }
            items.add(n);
        }
        List<ObjectNode> all = new ArrayList<>();
        for (String d : dirs) {
            all.add(
                    JSON.createObjectNode()
                            .put("type", "directory")
                            .put("oid", hex("SHA-1", d.getBytes(StandardCharsets.UTF_8)))
                            .put("size", 0)
                            .put("path", d));
        }
        all.addAll(items);
        int size = pageSize;
        List<ObjectNode> page =
                all.subList(Math.min(cursor, all.size()), Math.min(cursor + size, all.size()));
        if (cursor + size < all.size()) {
            String base = ex.getRequestURI().getRawPath();
            ex.getResponseHeaders()
                    .set(
                            "Link",
                            "<"
                                    + endpoint
                                    + base
                                    + "?recursive="
                                    + recursive
                                    + "&cursor="
                                    + (cursor + size)
                                    + ">; rel=\"next\"");
        }
        ArrayNode arr = JSON.createArrayNode();
        page.forEach(arr::add);
        sendJson(ex, arr.toString());
    }

    private void serveRevision(HttpExchange ex, RepoType type, String id, String rev)
            throws IOException {
        Revision r = findRevision(ex, type, id, rev);
        if (r == null) {
            return;
        }
        ObjectNode n = JSON.createObjectNode().put("id", id).put("sha", r.commit);
        ArrayNode siblings = n.putArray("siblings");
        r.files.keySet().forEach(p -> siblings.addObject().put("rfilename", p));
        sendJson(ex, n.toString());
    }

    private static void sendJson(HttpExchange ex, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private static void error(HttpExchange ex, int status, String code, String message)
            throws IOException {
        Headers h = ex.getResponseHeaders();
        if (code != null) {
            h.set("X-Error-Code", code);
        }
        h.set("X-Error-Message", message);
        byte[] body =
                ("{\"error\":" + JSON.writeValueAsString(message) + "}")
                        .getBytes(StandardCharsets.UTF_8);
        h.set("Content-Type", "application/json");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static String decodeJoin(List<String> segments) {
        List<String> out = new ArrayList<>();
        for (String s : segments) {
            out.add(decode(s));
        }
        return String.join("/", out);
    }

    /** Percent-decoding of a path segment ('+' stays '+'). */
    static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return HttpTransport.quote(s, "");
    }

    static String gitBlobSha1(byte[] content) {
        byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[header.length + content.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(content, 0, all, header.length, content.length);
        return hex("SHA-1", all);
    }

    static String hex(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
