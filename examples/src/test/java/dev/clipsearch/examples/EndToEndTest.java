package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipsearch.hub.HubRepo;
import dev.clipsearch.hub.LocalHubServer;
import dev.clipsearch.search.Fixtures;
import dev.clipsearch.search.ImageIndexer;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mission end to end, in separate JVMs as a user runs it: {@code clip-search index} downloads a
 * model and a dataset from a (local) Hub through HF_ENDPOINT into a Lance table, is killed
 * (SIGKILL) part way, is run again and completes with every row stored exactly once; then {@code
 * search}, {@code demo} (the gallery) and {@code info} answer from the table.
 */
class EndToEndTest {
    static final int ROWS = 480;
    static final String MODEL_REPO = "test-org/tiny-clip";
    static final String DATASET_REPO = "test-org/shapes";

    @TempDir Path tmp;

    @Test
    void indexIsKilledPartWayResumesAndSearchAnswers() throws Exception {
        Path modelDir = Fixtures.tinyModel(tmp.resolve("model"));
        Path datasetDir = Fixtures.dataset(tmp.resolve("dataset"), ROWS);
        String store = "lance:" + tmp.resolve("lancedb");
        try (LocalHubServer hub = LocalHubServer.start()) {
            hub.addDirectory(HubRepo.model(MODEL_REPO), modelDir);
            hub.addDirectory(HubRepo.dataset(DATASET_REPO), datasetDir);
            List<String> index =
                    List.of(
                            "index",
                            "--model",
                            MODEL_REPO,
                            "--dataset",
                            DATASET_REPO,
                            "--split",
                            "valid",
                            "--store",
                            store);

            // 1. start indexing, kill -9 as soon as some rows are stored (one row per write: slow
            // enough to catch on
            //    any machine)
            List<String> slow = new ArrayList<>(index);
            slow.addAll(List.of("--batch-size", "1", "--write-batch-size", "1", "--workers", "1"));
            Process first = cli(hub, slow, "first");
            waitForSomeRowsThenKill(first, store);
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long storedAtKill;
            try (VectorStore table = VectorStores.openExisting(store, VectorStores.DEFAULT_TABLE)) {
                storedAtKill = table.count();
            }
            assertThat(storedAtKill)
                    .as("rows stored when the first run was killed")
                    .isBetween(1L, ROWS - 1L);
            assertThat(hub.requests())
                    .anySatisfy(r -> assertThat(r).contains("model.safetensors"))
                    .anySatisfy(r -> assertThat(r).contains("valid-00000-of-00002.parquet"));

            // 2. rerun: resumes and completes
            List<String> fast = new ArrayList<>(index);
            fast.addAll(List.of("--batch-size", "16", "--write-batch-size", "64"));
            Process second = cli(hub, fast, "second");
            assertThat(second.waitFor(5, TimeUnit.MINUTES)).as("second run finished").isTrue();
            assertThat(second.exitValue()).as(log("second")).isZero();
            String summary = Files.readString(tmp.resolve("second.out"));
            System.out.println(
                    "killed with "
                            + storedAtKill
                            + " of "
                            + ROWS
                            + " rows stored; rerun: "
                            + summary.strip());
            assertThat(summary)
                    .contains("Indexed " + (ROWS - storedAtKill) + " of " + ROWS + " rows")
                    .contains(storedAtKill + " already stored");

            try (VectorStore table = VectorStores.openExisting(store, VectorStores.DEFAULT_TABLE)) {
                assertThat(table.count()).isEqualTo(ROWS);
                List<String> ids = new ArrayList<>();
                table.scan(false, r -> ids.add(r.id()));
                assertThat(ids).hasSize(ROWS).doesNotHaveDuplicates();
                Set<String> expected = new HashSet<>();
                IntStream.range(0, ROWS).forEach(i -> expected.add(ImageIndexer.rowId("valid", i)));
                assertThat(new HashSet<>(ids)).isEqualTo(expected);
                assertThat(table.existingIds(expected)).isEqualTo(expected);
                assertThat(table.get("valid-000042").orElseThrow().metadata())
                        .containsEntry("labelName", Fixtures.CLASSES.get(42 % 4))
                        .containsEntry("source", DATASET_REPO + "/valid");
            }

            // 3. search and info answer from the table (model from the Hub cache)
            Process search =
                    cli(
                            hub,
                            List.of(
                                    "search",
                                    "a red square",
                                    "-k",
                                    "5",
                                    "--model",
                                    MODEL_REPO,
                                    "--store",
                                    store,
                                    "--json"),
                            "search");
            assertThat(search.waitFor(3, TimeUnit.MINUTES)).isTrue();
            assertThat(search.exitValue()).as(log("search")).isZero();
            JsonNode hits =
                    new ObjectMapper().readTree(Files.readString(tmp.resolve("search.out")));
            assertThat(hits).hasSize(5);
            hits.forEach(h -> assertThat(expectedId(h.get("id").asText())).isTrue());

            // 4. demo: the table is complete, so it serves the gallery straight away
            Process demo =
                    cli(
                            hub,
                            List.of(
                                    "demo",
                                    "--model",
                                    MODEL_REPO,
                                    "--dataset",
                                    DATASET_REPO,
                                    "--split",
                                    "valid",
                                    "--store",
                                    store,
                                    "--port",
                                    "0"),
                            "demo");
            try {
                URI gallery = waitForGallery(demo);
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> page =
                        http.send(
                                HttpRequest.newBuilder(gallery).build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(page.body()).contains("id=\"query\"");
                JsonNode found =
                        new ObjectMapper()
                                .readTree(
                                        http.send(
                                                        HttpRequest.newBuilder(
                                                                        gallery.resolve(
                                                                                "/api/search?q=a+red+square&k=4"))
                                                                .build(),
                                                        HttpResponse.BodyHandlers.ofString())
                                                .body());
                assertThat(found.get("results")).hasSize(4);
                HttpResponse<byte[]> image =
                        http.send(
                                HttpRequest.newBuilder(
                                                gallery.resolve(
                                                        found.get("results")
                                                                .get(0)
                                                                .get("url")
                                                                .asText()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                assertThat(image.statusCode()).isEqualTo(200);
                assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
                assertThat(Files.readString(tmp.resolve("demo.out")))
                        .doesNotContain("indexing the rest");
            } finally {
                demo.destroy();
                demo.waitFor(30, TimeUnit.SECONDS);
            }

            Process info = cli(hub, List.of("info", "--store", store, "--json"), "info");
            assertThat(info.waitFor(2, TimeUnit.MINUTES)).isTrue();
            JsonNode json = new ObjectMapper().readTree(Files.readString(tmp.resolve("info.out")));
            assertThat(json.get("rows").asLong()).isEqualTo(ROWS);
            assertThat(json.get("dimension").asInt()).isEqualTo(512);
        }
    }

    private static boolean expectedId(String id) {
        return id.matches("valid-000[0-4][0-9][0-9]") && Integer.parseInt(id.substring(6)) < ROWS;
    }

    /** Starts the CLI in a child JVM with this test's class path, against the local Hub. */
    private Process cli(LocalHubServer hub, List<String> args, String name) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx1g",
                                "-DOPT_OUT_TRACKING=true",
                                "-DDJL_OFFLINE=true",
                                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                                "-cp",
                                System.getProperty("java.class.path"),
                                ClipSearchCli.class.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("HF_ENDPOINT", hub.endpoint());
        env.put("HF_HOME", tmp.resolve("hf-home").toString());
        env.remove("HF_HUB_CACHE");
        env.remove("HF_HUB_OFFLINE");
        env.remove("HF_TOKEN");
        env.put("OPT_OUT_TRACKING", "true");
        env.put("DJL_OFFLINE", "true");
        pb.redirectOutput(tmp.resolve(name + ".out").toFile());
        pb.redirectError(tmp.resolve(name + ".err").toFile());
        return pb.start();
    }

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name + ".err"), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "(no log)";
        }
    }

    /** Waits for the "Gallery: URL" line of serve/demo; returns the URL. */
    private URI waitForGallery(Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(tmp.resolve("demo.out"))) {
                if (line.startsWith("Gallery: ")) {
                    return URI.create(line.substring("Gallery: ".length()).split("\\s+")[0]);
                }
            }
            if (!child.isAlive()) {
                throw new AssertionError(
                        "demo ended (status " + child.exitValue() + "): " + log("demo"));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("demo did not serve within 3 minutes: " + log("demo"));
    }

    /** Polls the table until it holds rows, then kills the child (SIGKILL). */
    private void waitForSomeRowsThenKill(Process child, String store) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new AssertionError(
                        "the first run ended (status "
                                + child.exitValue()
                                + ") before it was killed: "
                                + log("first"));
            }
            if (new File(tmp.resolve("lancedb").toString()).exists()) {
                try (VectorStore table =
                        VectorStores.openExisting(store, VectorStores.DEFAULT_TABLE)) {
                    long n = table.count();
                    if (n > 0) {
                        child.destroyForcibly();
                        return;
                    }
                } catch (StoreNotFoundException | IllegalStateException e) {
                    // the table does not exist yet
                }
            }
            Thread.sleep(25);
        }
        child.destroyForcibly();
        throw new AssertionError("no rows were stored within 3 minutes: " + log("first"));
    }
}
