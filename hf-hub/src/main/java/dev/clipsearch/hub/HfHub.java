package dev.clipsearch.hub;

import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
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

    private final String endpoint;
    private final URI endpointUri;
    private final CacheLayout layout;
    private final boolean offline;
    private final DownloadListener listener;
    private final HubHttp hubHttp;
    private final BlobDownloader blobs;
    private final OfflineCache offlineCache;

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
        this.offline = b.offline;
        this.listener = b.listener;
        HubRetries retries = new HubRetries(endpoint, b.maxRetries, b.retryBackoff);
        this.hubHttp =
                new HubHttp(
                        endpoint,
                        endpointUri,
                        b.token == null || b.token.isBlank() ? null : b.token.trim(),
                        new HttpTransport(b.connectTimeout, b.readTimeout, b.proxySelector),
                        retries);
        this.blobs = new BlobDownloader(layout, hubHttp, retries);
        this.offlineCache = new OfflineCache(layout);
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
            return cached(repo, file).orElseThrow(() -> offlineCache.offlineMiss(repo, file));
        }
        HubHttp.FileMetadata meta;
        try {
            meta = hubHttp.fetchMetadata(repo, file);
        } catch (HubException e) {
            if (e instanceof HubNotFoundException nf
                    && nf.kind() == HubNotFoundException.Kind.FILE) {
                offlineCache.rememberMissing(repo, file, nf);
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
                        blobs.download(repo, file, meta, blob, l);
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
        try {
            String sha = hubHttp.revisionCommit(repo);
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
                        : allowPatterns.stream().map(Globs::fnmatch).toList();
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
     * All files (recursively, directories omitted) under {@code pathPrefix} (a folder of the
     * repository; "" or null for the whole repository), following the Hub's pagination. Offline,
     * lists what the cached snapshot of the revision holds (only files downloaded before; blob ids
     * then are the cache's etags).
     */
    public List<HubFile> listFiles(HubRepo repo, String pathPrefix) {
        Objects.requireNonNull(repo, "repo");
        String prefix = normalizePrefix(pathPrefix);
        if (offline) {
            return offlineCache.listCached(repo, prefix);
        }
        return hubHttp.listTree(repo, prefix);
    }

    /** The resolve URL of a file (tests). */
    URI resolveUrl(HubRepo repo, String path) {
        return hubHttp.resolveUrl(repo, path);
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
            this.cacheDir =
                    HubEnvironment.defaultCacheDir(
                            System.getenv(), System.getProperty("user.home"));
        }

        static Builder fromEnvironment(Map<String, String> env, String userHome) {
            Builder b = new Builder();
            b.cacheDir = HubEnvironment.defaultCacheDir(env, userHome);
            String ep = env.get("HF_ENDPOINT");
            if (ep != null && !ep.isBlank()) {
                b.endpoint = ep.trim();
            }
            b.token = HubEnvironment.token(env, userHome);
            b.offline =
                    HubEnvironment.isTrue(env.get("HF_HUB_OFFLINE"))
                            || HubEnvironment.isTrue(env.get("TRANSFORMERS_OFFLINE"));
            b.connectTimeout =
                    HubEnvironment.seconds(env.get("HF_HUB_ETAG_TIMEOUT"), b.connectTimeout);
            b.readTimeout =
                    HubEnvironment.seconds(env.get("HF_HUB_DOWNLOAD_TIMEOUT"), b.readTimeout);
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
    }
}
