package dev.clipsearch.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads files from the Hugging Face Hub into a cache laid out exactly like Python's
 * huggingface_hub ({@code models--org--name/blobs|snapshots|refs}), so files already downloaded by
 * Python are reused and files downloaded here are found by Python. Thread-safe; concurrent
 * downloads of the same file (also from other processes) are serialized by a lock file in {@code
 * .locks/}.
 *
 * <pre>{@code
 * HfHub hub = HfHub.fromEnvironment();
 * Path config = hub.download(HubRepo.model("openai/clip-vit-base-patch32"), "config.json");
 * }</pre>
 */
public final class HfHub {

    /** The public Hub. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Logger LOG = LoggerFactory.getLogger(HfHub.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?");
    private static final Pattern CONTENT_RANGE =
            Pattern.compile("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$");
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_JSON_BYTES = 64 * 1024 * 1024;
    private static final int BUFFER = 1 << 16;

    private final String endpoint;
    private final URI endpointUri;
    private final CacheLayout layout;
    private final String token;
    private final boolean offline;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final DownloadListener listener;
    private final HttpTransport http;
    private final Set<String> hubHosts;

    private HfHub(Builder b) {
        this.endpoint = stripTrailingSlash(b.endpoint);
        this.endpointUri = URI.create(endpoint + "/");
        if (endpointUri.getScheme() == null || endpointUri.getHost() == null) {
            throw new IllegalArgumentException(
                    "Invalid Hub endpoint '"
                            + b.endpoint
                            + "': expected an http(s) URL such as https://huggingface.co");
        }
        this.layout = new CacheLayout(b.cacheDir);
        this.token = b.token == null || b.token.isBlank() ? null : b.token.trim();
        this.offline = b.offline;
        this.maxRetries = b.maxRetries;
        this.retryBackoff = b.retryBackoff;
        this.listener = b.listener;
        this.hubHosts =
                Set.copyOf(
                        List.of(
                                "hf.co",
                                "huggingface.co",
                                "hub-ci.huggingface.co",
                                HttpTransport.host(endpointUri)));
        this.http = new HttpTransport(b.connectTimeout, b.readTimeout, b.proxySelector);
    }

    /**
     * A hub configured like huggingface_hub from the environment: {@code HF_ENDPOINT}, {@code
     * HF_TOKEN} (or the token file written by {@code huggingface-cli login}: {@code HF_TOKEN_PATH},
     * default {@code $HF_HOME/token}), {@code HF_HUB_OFFLINE=1}, cache in {@code HF_HUB_CACHE},
     * else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub} ({@code
     * $XDG_CACHE_HOME/huggingface/hub} when XDG_CACHE_HOME is set); timeouts from {@code
     * HF_HUB_ETAG_TIMEOUT} / {@code HF_HUB_DOWNLOAD_TIMEOUT} (seconds, default 10).
     */
    public static HfHub fromEnvironment() {
        return builderFromEnvironment().build();
    }

    /** A builder pre-filled from the environment, as {@link #fromEnvironment()} reads it. */
    public static Builder builderFromEnvironment() {
        return Builder.fromEnvironment(System.getenv(), System.getProperty("user.home"));
    }

    /**
     * A builder with plain defaults (public Hub, no token, online, cache directory as
     * huggingface_hub's default location); nothing else is read from the environment.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Root of the cache (the folder holding {@code models--org--name} folders). */
    public Path cacheDir() {
        return layout.root();
    }

    /** Base URL of the Hub, without trailing slash. */
    public String endpoint() {
        return endpoint;
    }

    /** Whether only the cache is used (no network). */
    public boolean offline() {
        return offline;
    }

    /** {@link #download(HubRepo, String, DownloadListener)} with the builder's listener. */
    public Path download(HubRepo repo, String path) {
        return download(repo, path, listener);
    }

    /**
     * Returns the file {@code snapshots/<commit>/<path>} in the cache, downloading it first if
     * needed. A commit-pinned revision whose file is cached makes no request; for a branch or tag a
     * HEAD request finds the current commit (like huggingface_hub); if that request fails (network
     * error, HTTP 5xx/429 after the retries, 401/403, or "repository not found") and the file is
     * cached for the revision, the cached file is used with a warning. A 404 for the file itself is
     * remembered in {@code .no_exist/<commit>/<path>} like huggingface_hub.
     *
     * @throws HubNotFoundException repository, revision or file does not exist
     * @throws HubAccessDeniedException 401/403 (set HF_TOKEN)
     * @throws HubOfflineException offline and not cached
     * @throws HubIntegrityException downloaded content has the wrong size or sha256
     * @throws HubNetworkException the Hub kept failing after all retries
     * @throws HubException local I/O failure, e.g. disk full
     */
    public Path download(HubRepo repo, String path, DownloadListener listener) {
        Objects.requireNonNull(repo, "repo");
        String file = validatePath(path);
        DownloadListener l = listener == null ? DownloadListener.none() : listener;
        if (repo.isCommitPinned()) {
            Path pointer = layout.pointer(repo, repo.revision(), file);
            if (CacheLayout.isPresent(pointer)) {
                LOG.debug("Cache hit for {} (pinned commit)", HubErrors.what(repo, file));
                return pointer;
            }
        }
        if (offline) {
            return cached(repo, file).orElseThrow(() -> offlineMiss(repo, file));
        }
        FileMetadata meta;
        try {
            meta = fetchMetadata(repo, file);
        } catch (HubException e) {
            if (e instanceof HubNotFoundException nf
                    && nf.kind() == HubNotFoundException.Kind.FILE) {
                rememberMissing(repo, file, nf);
            }
            Optional<Path> hit =
                    HubErrors.cacheMayAnswer(e) ? cached(repo, file) : Optional.empty();
            if (hit.isPresent()) {
                LOG.warn(
                        "Could not check {} for updates of {} ({}); using the cached copy {}",
                        endpoint,
                        HubErrors.what(repo, file),
                        e.getMessage(),
                        hit.get());
                return hit.get();
            }
            throw e;
        }
        try {
            layout.writeRef(repo, meta.commit());
            Path pointer = layout.pointer(repo, meta.commit(), file);
            if (CacheLayout.isPresent(pointer)) {
                LOG.debug(
                        "Cache hit for {} at commit {}", HubErrors.what(repo, file), meta.commit());
                return pointer;
            }
            Path blob = layout.blob(repo, meta.etag());
            if (!Files.isRegularFile(blob)) {
                try (FileLocks.Held lock = FileLocks.acquire(layout.lock(repo, meta.etag()))) {
                    if (!Files.isRegularFile(blob)) {
                        downloadBlob(repo, file, meta, blob, l);
                    } else {
                        LOG.debug("{} was downloaded by another thread or process", blob);
                    }
                    layout.link(blob, pointer);
                }
            } else {
                layout.link(blob, pointer);
            }
            return pointer;
        } catch (HubErrors.LocalIo e) {
            throw HubErrors.localIo(e.io(), repo, file, layout.root());
        } catch (IOException e) {
            throw HubErrors.localIo(e, repo, file, layout.root());
        }
    }

    /**
     * The cached file {@code snapshots/<commit>/<path>} if present; makes no request. A branch or
     * tag is resolved with {@code refs/<revision>} in the cache.
     */
    public Optional<Path> cached(HubRepo repo, String path) {
        Objects.requireNonNull(repo, "repo");
        String file = validatePath(path);
        return layout.cachedCommit(repo)
                .map(commit -> layout.pointer(repo, commit, file))
                .filter(CacheLayout::isPresent);
    }

    /**
     * The commit hash the repository's revision points to. A commit hash is returned as is;
     * offline, the cache's {@code refs/<revision>} is used; online the Hub is asked (and the ref is
     * cached); when that fails (network, 5xx, 401/403, repository not found: as huggingface_hub's
     * snapshot_download) a cached ref is used with a warning.
     */
    public String resolveCommit(HubRepo repo) {
        Objects.requireNonNull(repo, "repo");
        if (repo.isCommitPinned()) {
            return repo.revision();
        }
        if (offline) {
            return layout.cachedCommit(repo)
                    .orElseThrow(
                            () ->
                                    new HubOfflineException(
                                            "Offline mode is on"
                                                    + " (HF_HUB_OFFLINE=1) and revision '"
                                                    + repo.revision()
                                                    + "' of "
                                                    + repo.type().singular()
                                                    + " '"
                                                    + repo.id()
                                                    + "' is not in the cache "
                                                    + layout.root()
                                                    + ". Download it once while online, or pin a cached commit hash."));
        }
        URI uri =
                endpointUri.resolve(
                        "api/"
                                + repo.type().plural()
                                + "/"
                                + repo.id()
                                + "/revision/"
                                + HttpTransport.quote(repo.revision(), ""));
        try {
            JsonNode info = getJson(repo, null, uri).json;
            String sha = info.path("sha").asText(null);
            if (sha == null || !CacheLayout.isCommitHash(sha)) {
                throw new HubException(
                        "The Hub at "
                                + endpoint
                                + " returned no commit hash for "
                                + repo.describe());
            }
            try {
                layout.writeRef(repo, sha);
            } catch (IOException e) {
                throw HubErrors.localIo(e, repo, null, layout.root());
            }
            return sha;
        } catch (HubException e) {
            Optional<String> commit =
                    HubErrors.cacheMayAnswer(e) ? layout.cachedCommit(repo) : Optional.empty();
            if (commit.isPresent()) {
                LOG.warn(
                        "Could not reach {} to resolve {} ({}); using the cached commit {}",
                        endpoint,
                        repo.describe(),
                        e.getMessage(),
                        commit.get());
                return commit.get();
            }
            throw e;
        }
    }

    /**
     * Downloads all files of the revision whose paths match one of {@code allowPatterns} (Python
     * fnmatch globs as in huggingface_hub's snapshot_download: {@code *} also matches '/', a
     * pattern ending in '/' matches the whole folder; null or empty means every file) and returns
     * the snapshot folder {@code snapshots/<commit>}. The revision is resolved once, so all files
     * come from the same commit. Offline, returns the cached snapshot folder of the revision (its
     * content is whatever was downloaded before).
     */
    public Path downloadSnapshot(
            HubRepo repo, List<String> allowPatterns, DownloadListener listener) {
        Objects.requireNonNull(repo, "repo");
        List<Pattern> patterns =
                allowPatterns == null
                        ? List.of()
                        : allowPatterns.stream().map(HfHub::fnmatch).toList();
        if (offline) {
            String commit = resolveCommit(repo);
            Path dir = layout.snapshotDir(repo, commit);
            if (!Files.isDirectory(dir)) {
                throw new HubOfflineException(
                        "Offline mode is on (HF_HUB_OFFLINE=1) and no file of "
                                + repo.describe()
                                + " is in the cache "
                                + layout.root()
                                + ". Download it once while online.");
            }
            return dir;
        }
        String commit = resolveCommit(repo);
        HubRepo pinned = repo.at(commit);
        List<HubFile> files =
                listFiles(pinned, "").stream()
                        .filter(
                                f ->
                                        patterns.isEmpty()
                                                || patterns.stream()
                                                        .anyMatch(
                                                                p -> p.matcher(f.path()).matches()))
                        .toList();
        if (files.isEmpty()) {
            LOG.warn("No file of {} matches {}", repo.describe(), allowPatterns);
        }
        for (HubFile f : files) {
            download(pinned, f.path(), listener);
        }
        Path dir = layout.snapshotDir(repo, commit);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw HubErrors.localIo(e, repo, null, layout.root());
        }
        return dir;
    }

    /** {@link #downloadSnapshot(HubRepo, List, DownloadListener)} with the builder's listener. */
    public Path downloadSnapshot(HubRepo repo, List<String> allowPatterns) {
        return downloadSnapshot(repo, allowPatterns, listener);
    }

    /**
     * Python's fnmatch.translate (case-sensitive), plus huggingface_hub's "folder/" means
     * "folder/*".
     */
    static Pattern fnmatch(String glob) {
        String g = glob.endsWith("/") ? glob + "*" : glob;
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i + 1;
                if (j < g.length() && g.charAt(j) == '!') {
                    j++;
                }
                if (j < g.length() && g.charAt(j) == ']') {
                    j++;
                }
                while (j < g.length() && g.charAt(j) != ']') {
                    j++;
                }
                if (j >= g.length()) {
                    re.append("\\[");
                } else {
                    String body = g.substring(i + 1, j).replace("\\", "\\\\");
                    if (body.startsWith("!")) {
                        body = "^" + body.substring(1);
                    } else if (body.startsWith("^")) {
                        body = "\\" + body;
                    }
                    re.append('[').append(body).append(']');
                    i = j;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /**
     * All files (recursively, directories omitted) under {@code pathPrefix} (a folder of the
     * repository; "" or null for the whole repository), following the Hub's pagination. Offline,
     * lists what the cached snapshot of the revision holds (only files downloaded before; blob ids
     * then are the cache's etags).
     */
    public List<HubFile> listFiles(HubRepo repo, String pathPrefix) {
        Objects.requireNonNull(repo, "repo");
        String prefix = normalizePrefix(pathPrefix);
        if (offline) {
            return listCached(repo, prefix);
        }
        String url =
                "api/"
                        + repo.type().plural()
                        + "/"
                        + repo.id()
                        + "/tree/"
                        + HttpTransport.quote(repo.revision(), "")
                        + (prefix.isEmpty() ? "" : "/" + HttpTransport.quote(prefix, ""))
                        + "?recursive=true";
        URI next = endpointUri.resolve(url);
        List<HubFile> files = new ArrayList<>();
        int pages = 0;
        while (next != null) {
            JsonResult page = getJson(repo, prefix, next);
            if (!page.json.isArray()) {
                throw new HubException(
                        "Unexpected tree listing for "
                                + HubErrors.what(repo, prefix)
                                + " from "
                                + endpoint
                                + ": expected a JSON array");
            }
            for (JsonNode item : page.json) {
                if (!"file".equals(item.path("type").asText())) {
                    continue;
                }
                JsonNode lfs = item.get("lfs");
                String sha = lfs != null && lfs.hasNonNull("oid") ? lfs.get("oid").asText() : null;
                long size =
                        lfs != null && lfs.has("size")
                                ? lfs.get("size").asLong()
                                : item.path("size").asLong(-1);
                files.add(
                        new HubFile(
                                item.path("path").asText(),
                                size,
                                item.path("oid").asText(null),
                                sha));
            }
            next = page.next;
            if (++pages > 100_000) {
                throw new HubException(
                        "Tree listing of " + repo.describe() + " did not end after 100000 pages");
            }
        }
        return List.copyOf(files);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Metadata of a file from the HEAD request. */
    record FileMetadata(String commit, String etag, long size, URI location) {}

    private record JsonResult(JsonNode json, URI next) {}

    URI resolveUrl(HubRepo repo, String path) {
        return endpointUri.resolve(
                repo.type().urlPrefix()
                        + repo.id()
                        + "/resolve/"
                        + HttpTransport.quote(repo.revision(), "")
                        + "/"
                        + HttpTransport.quote(path, "/"));
    }

    private FileMetadata fetchMetadata(HubRepo repo, String path) {
        URI url = resolveUrl(repo, path);
        return withRetries(
                repo,
                path,
                () -> {
                    URI u = url;
                    for (int redirects = 0; ; redirects++) {
                        try (HttpTransport.Response r =
                                http.send("HEAD", u, requestHeaders(u, null))) {
                            URI location = r.isRedirect() ? r.location() : null;
                            if (location != null && isHubHost(u, location)) {
                                if (redirects >= MAX_REDIRECTS) {
                                    throw new HubException(
                                            "Too many redirects (> "
                                                    + MAX_REDIRECTS
                                                    + ") for "
                                                    + HubErrors.what(repo, path)
                                                    + " starting at "
                                                    + url);
                                }
                                // redirect staying on the Hub (renamed repository): follow it, like
                                // huggingface_hub; a
                                // redirect to another host (CDN) carries the file's metadata itself
                                // and is not followed
                                u = location;
                                continue;
                            }
                            HubErrors.check(r, repo, path, authorized(u));
                            String commit = r.header("X-Repo-Commit");
                            String etag =
                                    normalizeEtag(
                                            r.header("X-Linked-Etag") != null
                                                    ? r.header("X-Linked-Etag")
                                                    : r.header("ETag"));
                            long size =
                                    r.header("X-Linked-Size") != null
                                            ? r.longHeader("X-Linked-Size")
                                            : r.longHeader("Content-Length");
                            if (commit == null || !CacheLayout.isCommitHash(commit.trim())) {
                                throw new HubException(
                                        "The server at "
                                                + endpoint
                                                + " sent no valid X-Repo-Commit header for "
                                                + HubErrors.what(repo, path)
                                                + "; is HF_ENDPOINT a Hugging Face Hub (or mirror)?");
                            }
                            if (etag == null || etag.isEmpty()) {
                                throw new HubException(
                                        "The server at "
                                                + endpoint
                                                + " sent no ETag for "
                                                + HubErrors.what(repo, path)
                                                + "; cannot cache the file safely.");
                            }
                            return new FileMetadata(
                                    commit.trim(), etag, size, location != null ? location : u);
                        }
                    }
                });
    }

    private JsonResult getJson(HubRepo repo, String path, URI uri) {
        return withRetries(
                repo,
                path,
                () -> {
                    try (HttpTransport.Response r = openFollowingRedirects(uri, Map.of())) {
                        HubErrors.check(r, repo, path, authorized(r.uri));
                        String body;
                        try {
                            body = r.bodyAsString(MAX_JSON_BYTES);
                        } catch (IOException e) {
                            throw HubErrors.Retryable.network(e, false);
                        }
                        JsonNode json;
                        try {
                            json = JSON.readTree(body);
                        } catch (IOException e) {
                            throw new HubException(
                                    "Invalid JSON from "
                                            + r.uri
                                            + " for "
                                            + HubErrors.what(repo, path),
                                    e);
                        }
                        String link = r.header("Link");
                        URI next = null;
                        if (link != null) {
                            Matcher m = LINK_NEXT.matcher(link);
                            if (m.find()) {
                                next = r.uri.resolve(m.group(1).trim());
                            }
                        }
                        return new JsonResult(json, next);
                    }
                });
    }

    /**
     * GET following redirects; the Authorization header is only sent to Hub hosts (see {@link
     * #authorized}).
     */
    private HttpTransport.Response openFollowingRedirects(URI start, Map<String, String> extra)
            throws IOException {
        URI u = start;
        for (int redirects = 0; ; redirects++) {
            Map<String, String> headers = requestHeaders(u, null);
            headers.putAll(extra);
            HttpTransport.Response r = http.send("GET", u, headers);
            if (!r.isRedirect()) {
                return r;
            }
            r.close();
            if (redirects >= MAX_REDIRECTS) {
                throw new HubException(
                        "Too many redirects (> " + MAX_REDIRECTS + ") starting at " + start);
            }
            URI target = r.location();
            LOG.debug(
                    "Following redirect to {}://{}{}",
                    target.getScheme(),
                    target.getHost(),
                    target.getPath());
            u = target;
        }
    }

    /**
     * Whether {@code target} is on the same host as {@code from} or on a Hub host (hf.co,
     * huggingface.co, hub-ci.huggingface.co or the endpoint's host), like huggingface_hub's
     * _is_same_or_hub_host.
     */
    private boolean isHubHost(URI from, URI target) {
        String host = HttpTransport.host(target);
        return host.equals(HttpTransport.host(from)) || hubHosts.contains(host);
    }

    /**
     * The token is only sent to Hub hosts, never to a CDN or storage host a download is redirected
     * to.
     */
    private boolean authorized(URI u) {
        return token != null && isHubHost(endpointUri, u);
    }

    private Map<String, String> requestHeaders(URI u, String range) {
        return HttpTransport.headers(
                "Accept-Encoding",
                "identity",
                "Authorization",
                authorized(u) ? "Bearer " + token : null,
                "Range",
                range);
    }

    private void downloadBlob(
            HubRepo repo, String path, FileMetadata meta, Path blob, DownloadListener l)
            throws IOException {
        Path incomplete = layout.incomplete(repo, meta.etag());
        Files.createDirectories(blob.getParent());
        LOG.info(
                "Downloading {} ({})",
                HubErrors.what(repo, path),
                meta.size() >= 0 ? meta.size() + " bytes" : "size unknown");
        warnIfLowOnSpace(blob.getParent(), meta.size() - localSize(incomplete));
        withRetries(
                repo,
                path,
                () -> {
                    transferOnce(repo, path, meta, incomplete, l);
                    return null;
                });
        long actual = Files.size(incomplete);
        if (meta.size() >= 0 && actual != meta.size()) {
            Files.deleteIfExists(incomplete);
            throw new HubIntegrityException(
                    "Downloaded "
                            + HubErrors.what(repo, path)
                            + " has "
                            + actual
                            + " bytes but the Hub announced "
                            + meta.size()
                            + "; the partial file was deleted, try again.");
        }
        if (SHA256.matcher(meta.etag()).matches()) {
            String sha = sha256(incomplete);
            if (!sha.equals(meta.etag())) {
                Files.deleteIfExists(incomplete);
                throw new HubIntegrityException(
                        "Downloaded "
                                + HubErrors.what(repo, path)
                                + " is corrupt: sha256 "
                                + sha
                                + " but expected "
                                + meta.etag()
                                + "; the bad file was deleted, try again.");
            }
        }
        CacheLayout.moveAtomically(incomplete, blob);
        l.onProgress(repo, path, actual, actual);
    }

    /**
     * Warns (like huggingface_hub) when the disk seems too small; the write itself reports a full
     * disk.
     */
    private static void warnIfLowOnSpace(Path dir, long needed) {
        if (needed <= 0) {
            return;
        }
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < needed) {
                LOG.warn(
                        "Not enough free disk space for the download: {} bytes needed in {} but only {} free",
                        needed,
                        dir,
                        free);
            }
        } catch (IOException e) {
            LOG.debug("Cannot check free space in {}: {}", dir, e.toString());
        }
    }

    /**
     * One GET of the (rest of the) body into the .incomplete file; resumes with a Range request.
     */
    private void transferOnce(
            HubRepo repo, String path, FileMetadata meta, Path incomplete, DownloadListener l)
            throws HubErrors.Retryable {
        long have = localSize(incomplete);
        long expected = meta.size();
        if (expected >= 0 && have > expected) {
            deleteLocal(incomplete);
            have = 0;
        }
        if (expected >= 0 && have == expected && have > 0) {
            return;
        }
        if (have > 0) {
            LOG.info("Resuming download of {} at byte {}", HubErrors.what(repo, path), have);
        }
        HttpTransport.Response r;
        try {
            r =
                    openFollowingRedirects(
                            meta.location(),
                            have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of());
        } catch (IOException e) {
            throw HubErrors.Retryable.network(e, false);
        }
        try (r) {
            if (r.status == 416) {
                deleteLocal(incomplete);
                throw new HubErrors.Retryable(
                        "range not satisfiable; restarting the download", null, 0, false);
            }
            HubErrors.check(r, repo, path, authorized(r.uri));
            boolean append = false;
            if (r.status == 206) {
                Matcher m = CONTENT_RANGE.matcher(String.valueOf(r.header("Content-Range")).trim());
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    deleteLocal(incomplete);
                    throw new HubErrors.Retryable(
                            "unexpected Content-Range "
                                    + r.header("Content-Range")
                                    + "; restarting the download",
                            null,
                            0,
                            false);
                }
                append = true;
            } else if (have > 0) {
                LOG.info(
                        "Server ignored the Range request for {}; downloading from the start",
                        HubErrors.what(repo, path));
                have = 0;
            }
            String encoding = r.header("Content-Encoding");
            boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
            if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity")) {
                throw new HubException(
                        "The server sent "
                                + HubErrors.what(repo, path)
                                + " with unsupported"
                                + " Content-Encoding '"
                                + encoding
                                + "'");
            }
            long bodyLength = gzip ? -1 : r.longHeader("Content-Length");
            long total = expected >= 0 ? expected : (bodyLength >= 0 ? have + bodyLength : -1);
            long received = 0;
            l.onProgress(repo, path, have, total);
            try (InputStream in = gzip ? new GZIPInputStream(r.body(), BUFFER) : r.body();
                    FileChannel out = openIncomplete(incomplete, append)) {
                byte[] buf = new byte[BUFFER];
                while (true) {
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (IOException e) {
                        r.abort();
                        throw HubErrors.Retryable.network(e, received > 0);
                    }
                    if (n < 0) {
                        break;
                    }
                    writeFully(out, buf, n);
                    received += n;
                    l.onProgress(repo, path, have + received, total);
                }
            } catch (IOException e) {
                // from r.body() (connection) or closing: network side
                throw HubErrors.Retryable.network(e, received > 0);
            }
            long wanted = bodyLength >= 0 ? bodyLength : (expected >= 0 ? expected - have : -1);
            if (wanted >= 0 && received < wanted) {
                r.abort();
                throw new HubErrors.Retryable(
                        "connection closed after " + received + " of " + wanted + " bytes",
                        null,
                        0,
                        received > 0);
            }
        }
    }

    private static FileChannel openIncomplete(Path incomplete, boolean append) {
        try {
            return append
                    ? FileChannel.open(
                            incomplete,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.APPEND)
                    : FileChannel.open(
                            incomplete,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new HubErrors.LocalIo(e);
        }
    }

    private static void writeFully(FileChannel out, byte[] buf, int n) {
        try {
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
        } catch (IOException e) {
            throw new HubErrors.LocalIo(e);
        }
    }

    private static long localSize(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            throw new HubErrors.LocalIo(e);
        }
    }

    private static void deleteLocal(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new HubErrors.LocalIo(e);
        }
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws HubErrors.Retryable, IOException;
    }

    /**
     * Runs an attempt, retrying network errors and 5xx/429 with exponential backoff (base {@code
     * retryBackoff}, doubled each time, at most 8x base or Retry-After); the count restarts when a
     * download made progress.
     */
    private <T> T withRetries(HubRepo repo, String path, Attempt<T> attempt) {
        int failures = 0;
        while (true) {
            HubErrors.Retryable failure;
            try {
                return attempt.run();
            } catch (HubErrors.Retryable e) {
                failure = e;
            } catch (IOException e) {
                failure = HubErrors.Retryable.network(e, false);
            }
            if (failure.progressed) {
                failures = 0;
            }
            if (failures >= maxRetries || unresolvableHost(failure)) {
                throw new HubNetworkException(
                        "Could not get "
                                + HubErrors.what(repo, path)
                                + " from "
                                + endpoint
                                + " after "
                                + (failures + 1)
                                + " attempt(s): "
                                + failure.getMessage()
                                + ". Check your network connection and HF_ENDPOINT; to use only files already in the"
                                + " cache, set HF_HUB_OFFLINE=1.",
                        failure.getCause() != null ? failure.getCause() : failure);
            }
            long wait =
                    Math.min(
                            retryBackoff.toMillis() << Math.min(failures, 20),
                            retryBackoff.toMillis() * 8);
            if (failure.retryAfterMillis >= 0) {
                wait = Math.max(wait, Math.min(failure.retryAfterMillis, 60_000));
            }
            failures++;
            LOG.warn(
                    "Attempt {} for {} failed ({}); retrying in {} ms",
                    failures,
                    HubErrors.what(repo, path),
                    failure.getMessage(),
                    wait);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new HubNetworkException(
                        "Interrupted while retrying " + HubErrors.what(repo, path), ie);
            }
        }
    }

    /**
     * A host name that does not resolve (no network, or a mistyped HF_ENDPOINT) does not get better
     * by waiting: failing at once lets the caller fall back to the cache (or report) without half a
     * minute of backoff.
     */
    private static boolean unresolvableHost(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private List<HubFile> listCached(HubRepo repo, String prefix) {
        String commit =
                layout.cachedCommit(repo)
                        .orElseThrow(
                                () ->
                                        new HubOfflineException(
                                                "Offline mode is on"
                                                        + " (HF_HUB_OFFLINE=1) and "
                                                        + repo.describe()
                                                        + " is not in the cache "
                                                        + layout.root()
                                                        + ". Download it once while online."));
        Path snapshot = layout.snapshotDir(repo, commit);
        Path base = prefix.isEmpty() ? snapshot : layout.pointer(repo, commit, prefix);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        List<HubFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                String rel = snapshot.relativize(p).toString().replace('\\', '/');
                String etag =
                        Files.isSymbolicLink(p)
                                ? Files.readSymbolicLink(p).getFileName().toString()
                                : null;
                String sha = etag != null && SHA256.matcher(etag).matches() ? etag : null;
                files.add(new HubFile(rel, Files.size(p), sha == null ? etag : null, sha));
            }
        } catch (IOException e) {
            throw new HubException("Cannot list the cached snapshot " + base + ": " + e, e);
        }
        files.sort((a, b) -> a.path().compareTo(b.path()));
        return List.copyOf(files);
    }

    /**
     * Records that the file does not exist at the commit the 404 named ({@code
     * .no_exist/<commit>/<path>}, like huggingface_hub), so offline look-ups can tell "missing in
     * the repo" from "not downloaded".
     */
    private void rememberMissing(HubRepo repo, String path, HubNotFoundException e) {
        String commit = e.commit;
        if (commit == null) {
            return;
        }
        try {
            Path marker = layout.noExist(repo, commit, path);
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
            layout.writeRef(repo, commit);
        } catch (IOException | RuntimeException ex) {
            LOG.debug(
                    "Could not cache the non-existence of {}: {}",
                    HubErrors.what(repo, path),
                    ex.toString());
        }
    }

    private HubException offlineMiss(HubRepo repo, String path) {
        Optional<String> known = layout.cachedCommit(repo);
        if (known.isPresent() && Files.exists(layout.noExist(repo, known.get(), path))) {
            return new HubNotFoundException(
                    "File '"
                            + path
                            + "' does not exist in "
                            + repo.describe()
                            + " (commit "
                            + known.get()
                            + ", remembered in the cache; offline mode is on).",
                    HubNotFoundException.Kind.FILE);
        }
        boolean refKnown = known.isPresent();
        return new HubOfflineException(
                "Offline mode is on (HF_HUB_OFFLINE=1) and "
                        + HubErrors.what(repo, path)
                        + " is not in the cache "
                        + layout.root()
                        + (refKnown ? "" : " (the revision itself is not cached)")
                        + ". Download it once while online (unset HF_HUB_OFFLINE), or copy the cache from a machine that"
                        + " has it.");
    }

    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.trim();
    }

    private static String validatePath(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("File path must not be empty (e.g. 'config.json')");
        }
        if (path.startsWith("/") || path.contains("\\")) {
            throw new IllegalArgumentException(
                    "Invalid file path '"
                            + path
                            + "': use a relative path with '/' separators, e.g. 'onnx/model.onnx'");
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(
                        "Invalid file path '"
                                + path
                                + "': empty, '.' or '..' segments are not allowed");
            }
        }
        return path;
    }

    private static String normalizePrefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        String p = prefix.trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? "" : validatePath(p);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String stripTrailingSlash(String s) {
        String e = Objects.requireNonNull(s, "endpoint").trim();
        while (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        return e;
    }

    /** Configures an {@link HfHub}. */
    public static final class Builder {
        private String endpoint = DEFAULT_ENDPOINT;
        private Path cacheDir;
        private String token;
        private boolean offline;
        private int maxRetries = 5;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(10);
        private Duration retryBackoff = Duration.ofSeconds(1);
        private DownloadListener listener = DownloadListener.none();
        private ProxySelector proxySelector;

        private Builder() {
            this.cacheDir = defaultCacheDir(System.getenv(), System.getProperty("user.home"));
        }

        static Builder fromEnvironment(Map<String, String> env, String userHome) {
            Builder b = new Builder();
            b.cacheDir = defaultCacheDir(env, userHome);
            String ep = env.get("HF_ENDPOINT");
            if (ep != null && !ep.isBlank()) {
                b.endpoint = ep.trim();
            }
            b.token = envToken(env, userHome);
            b.offline =
                    isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
            b.connectTimeout = seconds(env.get("HF_HUB_ETAG_TIMEOUT"), b.connectTimeout);
            b.readTimeout = seconds(env.get("HF_HUB_DOWNLOAD_TIMEOUT"), b.readTimeout);
            b.proxySelector = EnvProxySelector.fromEnvironment(env);
            return b;
        }

        /** Hub base URL, e.g. {@code https://huggingface.co} or a mirror. */
        public Builder endpoint(String endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** Cache root (the folder holding {@code models--org--name}). */
        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        /** Access token for private or gated repositories; null for none. Never logged. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Use only the cache; never touch the network. */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /** Retries after network errors and HTTP 5xx/429 (default 5). */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /** Wait before the first retry, doubled for each further retry up to 8x (default 1 s). */
        public Builder retryBackoff(Duration retryBackoff) {
            if (retryBackoff.isNegative()) {
                throw new IllegalArgumentException("retryBackoff must not be negative");
            }
            this.retryBackoff = retryBackoff;
            return this;
        }

        /** Time to establish a connection (default 10 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** Longest wait for data on an open connection (default 10 s). */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = positive(readTimeout, "readTimeout");
            return this;
        }

        /**
         * Proxies to use; null (the default for {@link HfHub#builder()}) uses the JVM's settings
         * (system properties {@code https.proxyHost} etc.). {@link HfHub#fromEnvironment()} uses
         * {@code HTTPS_PROXY}, {@code HTTP_PROXY}, {@code ALL_PROXY} and {@code NO_PROXY} when set.
         */
        public Builder proxySelector(ProxySelector proxySelector) {
            this.proxySelector = proxySelector;
            return this;
        }

        /** Default progress listener for {@link HfHub#download(HubRepo, String)}. */
        public Builder listener(DownloadListener listener) {
            this.listener = listener == null ? DownloadListener.none() : listener;
            return this;
        }

        /** Creates the hub (no network access happens here). */
        public HfHub build() {
            return new HfHub(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }

        static Path defaultCacheDir(Map<String, String> env, String userHome) {
            String hubCache =
                    firstNonBlank(env.get("HF_HUB_CACHE"), env.get("HUGGINGFACE_HUB_CACHE"));
            if (hubCache != null) {
                return expandUser(hubCache, userHome);
            }
            return hfHome(env, userHome).resolve("hub");
        }

        private static Path hfHome(Map<String, String> env, String userHome) {
            String home = env.get("HF_HOME");
            if (home != null && !home.isBlank()) {
                return expandUser(home, userHome);
            }
            String xdg = env.get("XDG_CACHE_HOME");
            Path base =
                    xdg != null && !xdg.isBlank()
                            ? expandUser(xdg, userHome)
                            : Paths.get(userHome, ".cache");
            return base.resolve("huggingface");
        }

        private static String envToken(Map<String, String> env, String userHome) {
            String t = firstNonBlank(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN"));
            if (t != null) {
                return t.trim();
            }
            String tokenPath = env.get("HF_TOKEN_PATH");
            Path file =
                    tokenPath != null && !tokenPath.isBlank()
                            ? expandUser(tokenPath, userHome)
                            : hfHome(env, userHome).resolve("token");
            try {
                if (Files.isRegularFile(file)) {
                    String s = Files.readString(file, StandardCharsets.UTF_8).trim();
                    return s.isEmpty() ? null : s;
                }
            } catch (IOException e) {
                LOG.warn("Cannot read the Hugging Face token file {}: {}", file, e.toString());
            }
            return null;
        }

        private static Path expandUser(String p, String userHome) {
            String s = p.trim();
            if (s.equals("~") || s.startsWith("~/")) {
                s = userHome + s.substring(1);
            }
            return Paths.get(s);
        }

        private static String firstNonBlank(String a, String b) {
            if (a != null && !a.isBlank()) {
                return a;
            }
            return b != null && !b.isBlank() ? b : null;
        }

        static boolean isTrue(String v) {
            return v != null
                    && Stream.of("1", "ON", "YES", "TRUE")
                            .anyMatch(t -> t.equals(v.trim().toUpperCase(Locale.ROOT)));
        }

        private static Duration seconds(String v, Duration fallback) {
            if (v == null || v.isBlank()) {
                return fallback;
            }
            try {
                double s = Double.parseDouble(v.trim());
                return s > 0 ? Duration.ofMillis((long) (s * 1000)) : fallback;
            } catch (NumberFormatException e) {
                LOG.warn("Ignoring invalid timeout value '{}'", v);
                return fallback;
            }
        }
    }
}
