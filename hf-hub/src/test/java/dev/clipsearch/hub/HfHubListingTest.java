package dev.clipsearch.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfHubListingTest {

    static final HubRepo DATASET = HubRepo.dataset("zh-plus/tiny-imagenet");

    @TempDir Path cache;
    LocalHubServer server;
    HfHub hub;

    @BeforeEach
    void start() {
        server = LocalHubServer.start();
        hub =
                HfHub.builder()
                        .endpoint(server.endpoint() + "/")
                        .cacheDir(cache)
                        .retryBackoff(Duration.ofMillis(5))
                        .build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void listsRecursivelyAcrossPages() {
        for (int i = 0; i < 20; i++) {
            server.addFile(
                    DATASET,
                    "images/class" + (i % 3) + "/img" + i + ".txt",
                    ("image " + i).getBytes(StandardCharsets.UTF_8));
        }
        server.addFile(DATASET, "README.md", "# tiny".getBytes(StandardCharsets.UTF_8));
        server.addFile(DATASET, "data/valid-00000-of-00001.parquet", new byte[] {1, 2, 3, 4});
        server.setPageSize(4);

        List<HubFile> all = hub.listFiles(DATASET, "");
        assertThat(all).hasSize(22);
        assertThat(all)
                .extracting(HubFile::path)
                .doesNotHaveDuplicates()
                .contains(
                        "README.md", "images/class1/img4.txt", "data/valid-00000-of-00001.parquet")
                .noneMatch(p -> p.equals("images") || p.equals("data"));
        HubFile parquet =
                all.stream().filter(f -> f.path().endsWith(".parquet")).findFirst().orElseThrow();
        assertThat(parquet.size()).isEqualTo(4);
        assertThat(parquet.isLfs()).isTrue();
        assertThat(parquet.lfsSha256()).isEqualTo(server.sha256(DATASET, parquet.path()));
        HubFile readme =
                all.stream().filter(f -> f.path().equals("README.md")).findFirst().orElseThrow();
        assertThat(readme.lfsSha256()).isNull();
        assertThat(readme.blobId())
                .isEqualTo(LocalHubServer.gitBlobSha1("# tiny".getBytes(StandardCharsets.UTF_8)));
        assertThat(readme.size()).isEqualTo(6);
        // 22 files + 5 directory entries on pages of 4
        assertThat(server.requests())
                .filteredOn(r -> r.startsWith("GET /api/datasets/zh-plus/tiny-imagenet/tree/main"))
                .hasSize(7);

        List<HubFile> class2 = hub.listFiles(DATASET, "/images/class2/");
        assertThat(class2)
                .extracting(HubFile::path)
                .containsExactlyInAnyOrder(
                        "images/class2/img2.txt",
                        "images/class2/img5.txt",
                        "images/class2/img8.txt",
                        "images/class2/img11.txt",
                        "images/class2/img14.txt",
                        "images/class2/img17.txt");
        assertThat(server.requests())
                .contains(
                        "GET /api/datasets/zh-plus/tiny-imagenet/tree/main/images%2Fclass2"
                                + "?recursive=true");
        assertThatThrownBy(() -> hub.listFiles(DATASET, "nope"))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void datasetUsesPrefixInUrlsAndCacheFolder() throws IOException {
        server.addFile(DATASET, "README.md", "# tiny".getBytes(StandardCharsets.UTF_8));
        Path got = hub.download(DATASET, "README.md");
        assertThat(got.toString()).contains("datasets--zh-plus--tiny-imagenet/snapshots/");
        assertThat(Files.readString(got)).isEqualTo("# tiny");
        assertThat(server.requests())
                .first()
                .isEqualTo("HEAD /datasets/zh-plus/tiny-imagenet/resolve/main/README.md");
        // the same id as a model is another repository
        assertThatThrownBy(() -> hub.download(HubRepo.model(DATASET.id()), "README.md"))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining("model 'zh-plus/tiny-imagenet'");
    }

    @Test
    void revisionWithSlashesIsEncodedAndCachedUnderNestedRef() throws IOException {
        HubRepo parquetRef = DATASET.at("refs/convert/parquet");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        server.setCommit(parquetRef, commit);
        server.addFile(parquetRef, "default/valid/0000.parquet", new byte[] {9, 8, 7});

        Path got = hub.download(parquetRef, "default/valid/0000.parquet");
        assertThat(got)
                .isEqualTo(
                        cache.resolve(
                                "datasets--zh-plus--tiny-imagenet/snapshots/"
                                        + commit
                                        + "/default/valid/0000.parquet"));
        assertThat(Files.readAllBytes(got)).containsExactly(9, 8, 7);
        assertThat(
                        Files.readString(
                                cache.resolve(
                                        "datasets--zh-plus--tiny-imagenet/refs/refs/convert/parquet")))
                .isEqualTo(commit);
        assertThat(server.requests())
                .contains(
                        "HEAD /datasets/zh-plus/tiny-imagenet/resolve/refs%2Fconvert%2Fparquet/default/valid/0000.parquet");
        assertThat(hub.listFiles(parquetRef, "default"))
                .extracting(HubFile::path)
                .containsExactly("default/valid/0000.parquet");
        assertThat(hub.resolveCommit(parquetRef)).isEqualTo(commit);

        server.clearRequests();
        HfHub offline =
                HfHub.builder().endpoint(server.endpoint()).cacheDir(cache).offline(true).build();
        assertThat(offline.download(parquetRef, "default/valid/0000.parquet")).isEqualTo(got);
        assertThat(offline.resolveCommit(parquetRef)).isEqualTo(commit);
        assertThat(offline.listFiles(parquetRef, ""))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.path()).isEqualTo("default/valid/0000.parquet");
                            assertThat(f.size()).isEqualTo(3);
                            assertThat(f.lfsSha256())
                                    .isEqualTo(
                                            server.sha256(
                                                    parquetRef, "default/valid/0000.parquet"));
                        });
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void resolveCommitAsksTheHubAndCachesTheRef() throws IOException {
        server.addFile(DATASET, "README.md", "x".getBytes(StandardCharsets.UTF_8));
        String commit = server.commit(DATASET);
        assertThat(hub.resolveCommit(DATASET)).isEqualTo(commit);
        assertThat(Files.readString(cache.resolve("datasets--zh-plus--tiny-imagenet/refs/main")))
                .isEqualTo(commit);
        server.clearRequests();
        assertThat(hub.resolveCommit(DATASET.at(commit))).isEqualTo(commit);
        assertThat(server.requests()).isEmpty();
        HfHub offline = HfHub.builder().cacheDir(cache).offline(true).build();
        assertThatThrownBy(() -> offline.resolveCommit(DATASET.at("v2")))
                .isInstanceOf(HubOfflineException.class)
                .hasMessageContaining("v2")
                .hasMessageContaining("zh-plus/tiny-imagenet");
        assertThatThrownBy(() -> offline.listFiles(DATASET.at("v2"), null))
                .isInstanceOf(HubOfflineException.class);
    }

    @Test
    void renamedRepositoryIsFollowedAndCachedUnderTheRequestedName() throws IOException {
        HubRepo now = HubRepo.model("new-org/clip");
        HubRepo old = HubRepo.model("old-org/clip");
        server.addFile(now, "config.json", "{}".getBytes(StandardCharsets.UTF_8));
        server.addFile(now, "model.safetensors", new byte[] {1, 2});
        server.renameRepo(old, now);
        Path got = hub.download(old, "config.json");
        assertThat(got.toString())
                .contains("models--old-org--clip/snapshots/" + server.commit(now));
        assertThat(Files.readString(got)).isEqualTo("{}");
        assertThat(Files.readAllBytes(hub.download(old, "model.safetensors")))
                .containsExactly(1, 2);
        assertThat(hub.listFiles(old, "")).hasSize(2);
        assertThat(server.requests())
                .contains(
                        "HEAD /old-org/clip/resolve/main/config.json",
                        "HEAD /new-org/clip/resolve/main/config.json",
                        "GET /new-org/clip/resolve/main/config.json");
    }

    @Test
    void snapshotDownloadsMatchingFilesOfOneCommit() throws IOException {
        HubRepo model = HubRepo.model("org/m");
        server.addFile(model, "config.json", "{}".getBytes(StandardCharsets.UTF_8));
        server.addFile(model, "model.safetensors", new byte[] {1});
        server.addFile(model, "onnx/model.onnx", new byte[] {2});
        server.addFile(model, "tokenizer/vocab.json", new byte[] {3});
        Path dir = hub.downloadSnapshot(model, List.of("*.json", "model.safetensors"));
        assertThat(dir)
                .isEqualTo(cache.resolve("models--org--m/snapshots/" + server.commit(model)));
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("model.safetensors")).exists();
        assertThat(dir.resolve("tokenizer/vocab.json"))
                .exists(); // fnmatch '*' crosses '/', like Python
        assertThat(dir.resolve("onnx")).doesNotExist();
        assertThat(hub.downloadSnapshot(model, List.of("onnx/")).resolve("onnx/model.onnx"))
                .exists();
        HfHub offline = HfHub.builder().cacheDir(cache).offline(true).build();
        assertThat(offline.downloadSnapshot(model, null)).isEqualTo(dir);
        assertThatThrownBy(() -> offline.downloadSnapshot(HubRepo.model("org/other"), null))
                .isInstanceOf(HubOfflineException.class);
    }

    @Test
    void fnmatchLikePython() {
        assertThat(Globs.fnmatch("*.json").matcher("a/b.json").matches()).isTrue();
        assertThat(Globs.fnmatch("*.json").matcher("a.jsonl").matches()).isFalse();
        assertThat(Globs.fnmatch("model-?.bin").matcher("model-1.bin").matches()).isTrue();
        assertThat(Globs.fnmatch("[!a]*").matcher("b.txt").matches()).isTrue();
        assertThat(Globs.fnmatch("[!a]*").matcher("a.txt").matches()).isFalse();
        assertThat(Globs.fnmatch("x[").matcher("x[").matches()).isTrue();
        assertThat(Globs.fnmatch("a+b.(c)").matcher("a+b.(c)").matches()).isTrue();
    }

    @Test
    void proxyFromEnvironmentIsUsed() throws IOException {
        HubRepo model = HubRepo.model("org/m");
        server.addFile(model, "config.json", "{}".getBytes(StandardCharsets.UTF_8));
        server.addFile(model, "model.safetensors", new byte[] {5});
        // the local server doubles as the proxy: requests for the unreachable host reach it in
        // absolute form
        HfHub viaProxy =
                HfHub.Builder.fromEnvironment(
                                java.util.Map.of(
                                        "HF_ENDPOINT",
                                        "http://hub.invalid",
                                        "HF_HUB_CACHE",
                                        cache.toString(),
                                        "http_proxy",
                                        server.endpoint(),
                                        "NO_PROXY",
                                        "example.org"),
                                "/home/u")
                        .build();
        assertThat(Files.readString(viaProxy.download(model, "config.json"))).isEqualTo("{}");
        assertThat(Files.readAllBytes(viaProxy.download(model, "model.safetensors")))
                .containsExactly(5);
        assertThat(server.requests()).contains("HEAD /org/m/resolve/main/config.json");

        EnvProxySelector sel =
                EnvProxySelector.fromEnvironment(
                        java.util.Map.of(
                                "HTTPS_PROXY",
                                "proxy.corp:3128",
                                "ALL_PROXY",
                                "socks5://socks.corp",
                                "no_proxy",
                                "localhost,.internal"));
        assertThat(sel.select(java.net.URI.create("https://huggingface.co/x")).get(0).address())
                .hasToString("proxy.corp/<unresolved>:3128");
        assertThat(sel.select(java.net.URI.create("http://huggingface.co/x")).get(0).type())
                .isEqualTo(java.net.Proxy.Type.SOCKS);
        assertThat(sel.select(java.net.URI.create("https://hub.internal/x")).get(0))
                .isEqualTo(java.net.Proxy.NO_PROXY);
        assertThat(sel.select(java.net.URI.create("https://localhost/x")).get(0))
                .isEqualTo(java.net.Proxy.NO_PROXY);
        assertThat(EnvProxySelector.fromEnvironment(java.util.Map.of())).isNull();
    }

    @Test
    void addDirectoryServesAllFiles(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("a/b/c.txt"), "c");
        HubRepo model = HubRepo.model("tiny");
        server.addDirectory(model, dir);
        assertThat(hub.listFiles(model, null))
                .extracting(HubFile::path)
                .containsExactlyInAnyOrder("config.json", "a/b/c.txt");
        assertThat(Files.readString(hub.download(model, "a/b/c.txt"))).isEqualTo("c");
        assertThat(server.requests()).contains("HEAD /tiny/resolve/main/a/b/c.txt");
    }
}
