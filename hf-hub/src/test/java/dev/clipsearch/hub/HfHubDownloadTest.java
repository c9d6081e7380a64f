package dev.clipsearch.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfHubDownloadTest {

    static final HubRepo REPO = HubRepo.model("acme/tiny-clip");
    static final byte[] CONFIG = "{\"model_type\": \"clip\"}\n".getBytes(StandardCharsets.UTF_8);

    @TempDir Path cache;
    LocalHubServer server;
    byte[] weights;

    @BeforeEach
    void start() {
        server = LocalHubServer.start();
        weights = randomBytes(1_500_000, 7);
        server.addFile(REPO, "config.json", CONFIG);
        server.addFile(REPO, "model.safetensors", weights);
        server.addFile(REPO, "tokenizer/vocab.txt", "a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    HfHub.Builder hubBuilder() {
        return HfHub.builder()
                .endpoint(server.endpoint())
                .cacheDir(cache)
                .maxRetries(3)
                .retryBackoff(Duration.ofMillis(5))
                .readTimeout(Duration.ofSeconds(10));
    }

    HfHub hub() {
        return hubBuilder().build();
    }

    Path storage() {
        return cache.resolve("models--acme--tiny-clip");
    }

    List<String> gets() {
        return server.requests().stream().filter(r -> r.startsWith("GET ")).toList();
    }

    @Test
    void firstDownloadWritesBlobRelativeSymlinkAndRef() throws IOException {
        HfHub hub = hub();
        String commit = server.commit(REPO);

        Path config = hub.download(REPO, "config.json");
        Path model = hub.download(REPO, "model.safetensors");
        Path vocab = hub.download(REPO, "tokenizer/vocab.txt");

        Path snapshot = storage().resolve("snapshots").resolve(commit);
        assertThat(config).isEqualTo(snapshot.resolve("config.json"));
        assertThat(Files.readAllBytes(config)).isEqualTo(CONFIG);
        assertThat(Files.readAllBytes(model)).isEqualTo(weights);
        assertThat(Files.readString(vocab)).isEqualTo("a\nb\nc\n");

        String configEtag = LocalHubServer.gitBlobSha1(CONFIG);
        assertThat(Files.isSymbolicLink(config)).isTrue();
        assertThat(Files.readSymbolicLink(config).toString())
                .isEqualTo("../../blobs/" + configEtag);
        assertThat(Files.readSymbolicLink(model).toString())
                .isEqualTo("../../blobs/" + server.sha256(REPO, "model.safetensors"));
        assertThat(Files.readSymbolicLink(vocab).toString())
                .isEqualTo("../../../blobs/" + server.etag(REPO, "tokenizer/vocab.txt"));
        assertThat(storage().resolve("blobs").resolve(configEtag)).hasBinaryContent(CONFIG);
        assertThat(Files.readString(storage().resolve("refs/main"))).isEqualTo(commit);
        assertThat(
                        cache.resolve(".locks/models--acme--tiny-clip")
                                .resolve(server.sha256(REPO, "model.safetensors") + ".lock"))
                .exists();
        try (Stream<Path> blobs = Files.list(storage().resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString()))
                    .hasSize(3)
                    .noneMatch(n -> n.endsWith(".incomplete"));
        }
        // LFS file: HEAD answered by a 302 (not followed), body fetched from the redirect target
        assertThat(server.requests())
                .contains(
                        "GET /lfs-objects/"
                                + server.sha256(REPO, "model.safetensors")
                                + "?path=model.safetensors");
    }

    @Test
    void cacheHitForPinnedCommitAndOfflineMakesNoRequest() throws IOException {
        hub().download(REPO, "model.safetensors");
        String commit = server.commit(REPO);
        server.clearRequests();

        Path pinned = hub().download(REPO.at(commit), "model.safetensors");
        Path offline = hubBuilder().offline(true).build().download(REPO, "model.safetensors");

        assertThat(server.requests()).isEmpty();
        assertThat(pinned).isEqualTo(offline);
        assertThat(Files.readAllBytes(pinned)).isEqualTo(weights);
        assertThat(hub().cached(REPO, "model.safetensors")).contains(pinned);
        assertThat(hub().cached(REPO, "config.json")).isEmpty();
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void cacheHitForBranchMakesOnlyOneHead() {
        Path first = hub().download(REPO, "config.json");
        server.clearRequests();
        Path second = hub().download(REPO, "config.json");
        assertThat(second).isEqualTo(first);
        assertThat(server.requests())
                .containsExactly("HEAD /acme/tiny-clip/resolve/main/config.json");
    }

    @Test
    void newCommitOnBranchReusesBlobWithoutGet() throws IOException {
        Path first = hub().download(REPO, "model.safetensors");
        server.setCommit(REPO, "1111111111111111111111111111111111111111");
        server.clearRequests();
        Path second = hub().download(REPO, "model.safetensors");
        assertThat(second).isNotEqualTo(first);
        assertThat(second.toString())
                .contains("snapshots/1111111111111111111111111111111111111111/");
        assertThat(Files.readAllBytes(second)).isEqualTo(weights);
        assertThat(gets()).isEmpty();
        assertThat(Files.readString(storage().resolve("refs/main")))
                .isEqualTo("1111111111111111111111111111111111111111");
    }

    @Test
    void offlineMissingFileNamesRepoRevisionAndFile() {
        HfHub offline = hubBuilder().offline(true).build();
        assertThat(offline.offline()).isTrue();
        assertThatThrownBy(() -> offline.download(REPO.at("v1.0"), "config.json"))
                .isInstanceOf(HubOfflineException.class)
                .hasMessageContaining("acme/tiny-clip")
                .hasMessageContaining("v1.0")
                .hasMessageContaining("config.json")
                .hasMessageContaining("HF_HUB_OFFLINE");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void cacheWrittenInPythonLayoutIsUsedWithoutGet() throws IOException {
        String commit = server.commit(REPO);
        String etag = server.etag(REPO, "config.json");
        byte[] pythonCopy =
                "{\"model_type\": \"clip\", \"from\": \"python\"}".getBytes(StandardCharsets.UTF_8);
        Path blob = Files.createDirectories(storage().resolve("blobs")).resolve(etag);
        Files.write(blob, pythonCopy);
        Path pointer =
                Files.createDirectories(storage().resolve("snapshots").resolve(commit))
                        .resolve("config.json");
        Files.createSymbolicLink(pointer, Path.of("../../blobs/" + etag));
        Files.createDirectories(storage().resolve("refs"));
        Files.writeString(storage().resolve("refs/main"), commit);

        Path got = hub().download(REPO, "config.json");
        assertThat(got).isEqualTo(pointer);
        assertThat(Files.readAllBytes(got)).isEqualTo(pythonCopy);
        assertThat(gets()).isEmpty();

        server.clearRequests();
        assertThat(hubBuilder().offline(true).build().download(REPO, "config.json"))
                .isEqualTo(pointer);
        assertThat(hub().download(REPO.at(commit), "config.json")).isEqualTo(pointer);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void resumesAfterCutConnectionWithRangeRequest() throws IOException {
        server.cutConnectionAfter("model.safetensors", 600_000);
        List<long[]> progress = new ArrayList<>();
        Path got =
                hub().download(
                                REPO,
                                "model.safetensors",
                                (repo, path, done, total) ->
                                        progress.add(new long[] {done, total}));
        assertThat(Files.readAllBytes(got)).isEqualTo(weights);
        assertThat(server.rangeRequests()).hasSize(1);
        assertThat(server.rangeRequests().get(0))
                .startsWith("GET /lfs-objects/")
                .matches(".* bytes=\\d+-$");
        long resumedAt =
                Long.parseLong(server.rangeRequests().get(0).replaceAll(".* bytes=(\\d+)-$", "$1"));
        assertThat(resumedAt).isPositive().isLessThanOrEqualTo(600_000);
        assertThat(progress).isNotEmpty();
        assertThat(progress.get(progress.size() - 1))
                .containsExactly(weights.length, weights.length);
        assertThat(progress).allMatch(p -> p[1] == weights.length && p[0] <= weights.length);
    }

    @Test
    void stalledConnectionHitsReadTimeoutAndResumes() throws IOException {
        server.stallAfter("model.safetensors", 300_000, 10_000);
        Path got =
                hubBuilder()
                        .readTimeout(Duration.ofMillis(1000))
                        .build()
                        .download(REPO, "model.safetensors");
        assertThat(Files.readAllBytes(got)).isEqualTo(weights);
        assertThat(server.rangeRequests())
                .isNotEmpty()
                .allMatch(r -> r.matches("GET /lfs-objects/.* bytes=\\d+-"));
    }

    @Test
    void resumesPartialFileLeftByEarlierRun() throws IOException {
        String sha = server.sha256(REPO, "model.safetensors");
        Path incomplete =
                Files.createDirectories(storage().resolve("blobs")).resolve(sha + ".incomplete");
        Files.write(incomplete, java.util.Arrays.copyOf(weights, 1_000_000));
        Path got = hub().download(REPO, "model.safetensors");
        assertThat(Files.readAllBytes(got)).isEqualTo(weights);
        assertThat(server.rangeRequests())
                .containsExactly("GET /lfs-objects/" + sha + " bytes=1000000-");
        assertThat(incomplete).doesNotExist();
    }

    @Test
    void corruptBodyIsRejectedAndNothingIsLeftInCache() throws IOException {
        server.corruptBody("model.safetensors");
        assertThatThrownBy(() -> hub().download(REPO, "model.safetensors"))
                .isInstanceOf(HubIntegrityException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("acme/tiny-clip")
                .hasMessageContaining("sha256");
        try (Stream<Path> files = Files.walk(storage())) {
            assertThat(files.filter(Files::isRegularFile).map(Path::toString))
                    .noneMatch(p -> p.contains("/snapshots/") || p.contains("/blobs/"));
        }
        assertThat(hub().cached(REPO, "model.safetensors")).isEmpty();
    }

    @Test
    void missingOrWrongTokenSaysHfTokenAndNeverShowsTheToken() throws IOException {
        server.requireToken("hf_right_secret_123");
        assertThatThrownBy(() -> hub().download(REPO, "config.json"))
                .isInstanceOf(HubAccessDeniedException.class)
                .hasMessageContaining("HF_TOKEN")
                .hasMessageContaining("401")
                .hasMessageContaining("acme/tiny-clip")
                .hasMessageContaining("config.json");
        assertThatThrownBy(
                        () ->
                                hubBuilder()
                                        .token("hf_wrong_secret_456")
                                        .build()
                                        .download(REPO, "config.json"))
                .isInstanceOf(HubAccessDeniedException.class)
                .hasMessageContaining("HF_TOKEN")
                .hasMessageContaining("403")
                .satisfies(e -> assertThat(stackText(e)).doesNotContain("hf_wrong_secret_456"));

        HfHub authorized = hubBuilder().token("hf_right_secret_123").build();
        server.clearRequests();
        assertThat(authorized.download(REPO, "config.json")).hasBinaryContent(CONFIG);
        assertThat(Files.readAllBytes(authorized.download(REPO, "model.safetensors")))
                .isEqualTo(weights);
        assertThat(authorized.listFiles(REPO, "")).hasSize(3);
        // the token goes to the Hub host only, never to the CDN host the LFS download is redirected
        // to
        assertThat(server.requestsWithToken())
                .contains(
                        "HEAD /acme/tiny-clip/resolve/main/model.safetensors",
                        "GET /acme/tiny-clip/resolve/main/config.json");
        assertThat(server.requests()).anyMatch(r -> r.startsWith("GET /lfs-objects/"));
        if (!server.cdnBase().equals(server.endpoint())) {
            assertThat(server.requestsWithToken()).noneMatch(r -> r.contains("/lfs-objects/"));
        }
    }

    @Test
    void cachedCopyIsUsedWhenTheHubRefusesTheHeadButNotWhenTheFileIsGone() {
        Path first = hub().download(REPO, "config.json");
        server.requireToken("hf_token_now_needed");
        // like huggingface_hub: 401/403/repo-not-found/5xx on the HEAD fall back to the cache
        assertThat(hub().download(REPO, "config.json")).isEqualTo(first);
        assertThatThrownBy(() -> hub().download(REPO, "model.safetensors"))
                .isInstanceOf(HubAccessDeniedException.class);
        server.requireToken(null);
        // a file missing at the current commit is reported even though an older copy is cached
        server.setCommit(REPO, "2222222222222222222222222222222222222222");
        server.addFile(REPO.at("other"), "x", new byte[1]);
        HubRepo missing = REPO.at("other");
        assertThatThrownBy(() -> hub().download(missing, "config.json"))
                .isInstanceOf(HubNotFoundException.class)
                .satisfies(
                        e ->
                                assertThat(((HubNotFoundException) e).kind())
                                        .isEqualTo(HubNotFoundException.Kind.FILE));
        // the 404 is remembered like huggingface_hub's .no_exist, so offline look-ups know the file
        // is missing
        String otherCommit = server.commit(missing);
        assertThat(storage().resolve(".no_exist").resolve(otherCommit).resolve("config.json"))
                .exists();
        assertThatThrownBy(
                        () -> hubBuilder().offline(true).build().download(missing, "config.json"))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> hubBuilder().offline(true).build().download(missing, "other.json"))
                .isInstanceOf(HubOfflineException.class);
    }

    static String stackText(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    @Test
    void notFoundNamesRepoRevisionAndFile() {
        assertThatThrownBy(() -> hub().download(REPO, "missing.bin"))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining("missing.bin")
                .hasMessageContaining("acme/tiny-clip")
                .hasMessageContaining("'main'");
        assertThatThrownBy(() -> hub().download(HubRepo.model("acme/nope"), "config.json"))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining("Repository not found")
                .hasMessageContaining("acme/nope");
        assertThatThrownBy(() -> hub().download(REPO.at("v9"), "config.json"))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining("Revision 'v9' not found");
        assertThat(cache.resolve("models--acme--tiny-clip/snapshots")).doesNotExist();
    }

    @Test
    void retriesServerErrorsThenSucceeds() {
        server.failNext(2, 503);
        assertThat(hub().download(REPO, "config.json")).hasBinaryContent(CONFIG);
        assertThat(server.requests()).filteredOn(r -> r.startsWith("HEAD ")).hasSize(3);

        server.failNext(1, 429);
        assertThat(hub().download(REPO, "tokenizer/vocab.txt")).exists();

        server.failNext(100, 502);
        assertThatThrownBy(
                        () ->
                                hubBuilder()
                                        .maxRetries(2)
                                        .build()
                                        .download(REPO, "model.safetensors"))
                .isInstanceOf(HubNetworkException.class)
                .hasMessageContaining("502")
                .hasMessageContaining("3 attempt")
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void unreachableHubFallsBackToCacheForBranch() throws IOException {
        Path first = hub().download(REPO, "config.json");
        HfHub.Builder b = hubBuilder().maxRetries(0);
        server.close();
        HfHub hub = b.build();
        assertThat(hub.download(REPO, "config.json")).isEqualTo(first);
        assertThat(hub.resolveCommit(REPO)).isEqualTo(server.commit(REPO));
        assertThatThrownBy(() -> hub.download(REPO, "model.safetensors"))
                .isInstanceOf(HubNetworkException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("HF_HUB_OFFLINE");
    }

    @Test
    void unresolvableHostFailsAtOnceAndFallsBackToCache() throws IOException {
        Path first = hub().download(REPO, "config.json");
        HfHub hub =
                HfHub.builder()
                        .endpoint("http://no-such-hub.invalid")
                        .cacheDir(cache)
                        .maxRetries(5)
                        .retryBackoff(Duration.ofMillis(5))
                        .build();
        // a DNS failure is not retried: one attempt, then the cache answers for a branch
        assertThat(hub.download(REPO, "config.json")).isEqualTo(first);
        assertThatThrownBy(() -> hub.download(REPO, "model.safetensors"))
                .isInstanceOf(HubNetworkException.class)
                .hasMessageContaining("after 1 attempt(s)")
                .hasMessageContaining("no-such-hub.invalid")
                .hasMessageContaining("HF_HUB_OFFLINE");
    }

    @Test
    void eightThreadsFetchTheSameFileOnce() throws Exception {
        byte[] big = randomBytes(3_000_000, 11);
        server.addFile(REPO, "big.bin", big);
        HfHub hub = hub();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<Path> task =
                        () -> {
                            go.await();
                            return hub.download(REPO, "big.bin");
                        };
                results.add(pool.submit(task));
            }
            go.countDown();
            Path first = results.get(0).get(60, TimeUnit.SECONDS);
            for (Future<Path> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(first);
            }
            assertThat(Files.readAllBytes(first)).isEqualTo(big);
        } finally {
            pool.shutdownNow();
        }
        assertThat(gets()).filteredOn(r -> r.startsWith("GET /lfs-objects/")).hasSize(1);
    }

    @Test
    void secondJvmFetchingConcurrentlyDoesNotCorruptTheFile() throws Exception {
        byte[] big = randomBytes(4_000_000, 13);
        server.addFile(REPO, "shared.bin", big);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        HubDownloadMain.class.getName(),
                        server.endpoint(),
                        cache.toString(),
                        "model",
                        REPO.id(),
                        "shared.bin");
        pb.redirectErrorStream(true);
        Process child = pb.start();
        try {
            Path mine = hub().download(REPO, "shared.bin");
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as("child output: %s", out).isZero();
            assertThat(out.trim()).endsWith(mine.toString());
            assertThat(Files.readAllBytes(mine)).isEqualTo(big);
        } finally {
            child.destroyForcibly();
        }
        assertThat(gets()).filteredOn(r -> r.startsWith("GET /lfs-objects/")).hasSize(1);
        assertThat(server.rangeRequests()).isEmpty();
    }
}
