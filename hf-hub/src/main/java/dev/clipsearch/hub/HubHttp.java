package dev.clipsearch.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the Hub: resolve URLs, the HEAD request that yields a file's commit, ETag and
 * size, JSON API calls with {@code Link} pagination, redirects (followed on the Hub, not to a CDN
 * for metadata), and where the token may go (Hub hosts only, never a CDN or storage host).
 */
final class HubHttp {

    private static final Logger LOG = LoggerFactory.getLogger(HubHttp.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?");
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_JSON_BYTES = 64 * 1024 * 1024;

    /** Metadata of a file from the HEAD request. */
    record FileMetadata(String commit, String etag, long size, URI location) {}

    /** A JSON reply and the next page from its {@code Link} header, or null. */
    record JsonResult(JsonNode json, URI next) {}

    private final String endpoint;
    private final URI endpointUri;
    private final String token;
    private final Set<String> hubHosts;
    private final HttpTransport http;
    private final HubRetries retries;

    HubHttp(
            String endpoint,
            URI endpointUri,
            String token,
            HttpTransport http,
            HubRetries retries) {
        this.endpoint = endpoint;
        this.endpointUri = endpointUri;
        this.token = token;
        this.http = http;
        this.retries = retries;
        this.hubHosts =
                Set.copyOf(
                        List.of(
                                "hf.co",
                                "huggingface.co",
                                "hub-ci.huggingface.co",
                                HttpTransport.host(endpointUri)));
    }

    URI resolveUrl(HubRepo repo, String path) {
        return endpointUri.resolve(
                repo.type().urlPrefix()
                        + repo.id()
                        + "/resolve/"
                        + HttpTransport.quote(repo.revision(), "")
                        + "/"
                        + HttpTransport.quote(path, "/"));
    }

    FileMetadata fetchMetadata(HubRepo repo, String path) {
        URI url = resolveUrl(repo, path);
        return retries.run(
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

    JsonResult getJson(HubRepo repo, String path, URI uri) {
        return retries.run(
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
    HttpTransport.Response openFollowingRedirects(URI start, Map<String, String> extra)
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
    boolean authorized(URI u) {
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

    /** The commit hash a revision points to now, from the Hub's revision API. */
    String revisionCommit(HubRepo repo) {
        URI uri =
                endpointUri.resolve(
                        "api/"
                                + repo.type().plural()
                                + "/"
                                + repo.id()
                                + "/revision/"
                                + HttpTransport.quote(repo.revision(), ""));
        JsonNode info = getJson(repo, null, uri).json();
        String sha = info.path("sha").asText(null);
        if (sha == null || !CacheLayout.isCommitHash(sha)) {
            throw new HubException(
                    "The Hub at " + endpoint + " returned no commit hash for " + repo.describe());
        }
        return sha;
    }

    /** All files under {@code prefix} (normalized; "" for all), following the Hub's pagination. */
    List<HubFile> listTree(HubRepo repo, String prefix) {
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
            if (!page.json().isArray()) {
                throw new HubException(
                        "Unexpected tree listing for "
                                + HubErrors.what(repo, prefix)
                                + " from "
                                + endpoint
                                + ": expected a JSON array");
            }
            for (JsonNode item : page.json()) {
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
            next = page.next();
            if (++pages > 100_000) {
                throw new HubException(
                        "Tree listing of " + repo.describe() + " did not end after 100000 pages");
            }
        }
        return List.copyOf(files);
    }
}
