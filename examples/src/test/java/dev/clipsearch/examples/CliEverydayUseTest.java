package dev.clipsearch.examples;

import static dev.clipsearch.examples.CliTest.cli;
import static dev.clipsearch.examples.CliTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipsearch.examples.CliTest.Run;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.hub.HubNetworkException;
import dev.clipsearch.search.Fixtures;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as people use it every day: many queries, clear errors, short help. */
class CliEverydayUseTest {
    @TempDir static Path tmp;

    static Path modelDir;
    static Path datasetDir;
    static String store;

    @BeforeAll
    static void indexOnce() {
        modelDir = Fixtures.tinyModel(tmp.resolve("model"));
        datasetDir = Fixtures.dataset(tmp, 12);
        store = Fixtures.memoryStore();
        Run index =
                cli(
                        "index",
                        "--model",
                        modelDir.toString(),
                        "--dataset",
                        datasetDir.toString(),
                        "--split",
                        "valid",
                        "--store",
                        store,
                        "--batch-size",
                        "4");
        assertThat(index.status()).as(index.err()).isZero();
    }

    /** {@code index} of the test model and dataset into {@code storeUri}, then {@code more}. */
    private static String[] index(String storeUri, String... more) {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "index",
                                "--model",
                                modelDir.toString(),
                                "--dataset",
                                datasetDir.toString(),
                                "--store",
                                storeUri));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String[] search(String... more) {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of("search", "--model", modelDir.toString(), "--store", store));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void manyQueriesFromAFileOrStdinGiveOneJsonLineEachAsSingleSearchesWould() throws Exception {
        Path file =
                Files.writeString(
                        tmp.resolve("queries.txt"), "a red square\n\n  a blue circle \nzebra\n");
        Run many = cli(search("--queries", file.toString(), "-k", "3"));
        assertThat(many.status()).as(many.err()).isZero();
        List<JsonNode> lines = many.lines().stream().map(CliTest::parse).toList();
        assertThat(lines)
                .extracting(l -> l.get("query").asText())
                .containsExactly("a red square", "a blue circle", "zebra");
        for (JsonNode line : lines) {
            JsonNode single =
                    parse(cli(search(line.get("query").asText(), "-k", "3", "--json")).out());
            assertThat(line.get("results")).isEqualTo(single);
            assertThat(line.get("results")).hasSize(3);
            assertThat(line.get("results").get(0).fieldNames())
                    .toIterable()
                    .containsExactly("id", "label", "labelName", "score");
        }

        InputStream stdin = System.in;
        try {
            System.setIn(
                    new ByteArrayInputStream(
                            "zebra\na red square\n".getBytes(StandardCharsets.UTF_8)));
            Run piped = cli(search("--queries", "-", "-k", "3", "--timings"));
            assertThat(piped.status()).as(piped.err()).isZero();
            assertThat(piped.lines().stream().map(CliTest::parse).toList())
                    .containsExactly(lines.get(2), lines.get(0));
            assertThat(piped.err())
                    .contains(
                            "Timings:",
                            " table ",
                            " engine ",
                            " model ",
                            " query 2 ",
                            "first result at");
        } finally {
            System.setIn(stdin);
        }

        Run both = cli(search("cat", "--queries", file.toString()));
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.err()).contains("Give exactly one of");
        Run noFile = cli(search("--queries", tmp.resolve("nope.txt").toString()));
        assertThat(noFile.status()).isEqualTo(1);
        assertThat(noFile.err()).contains("Queries file not found");
    }

    @Test
    void limitAndKAreCheckedAgainstOneRange() {
        for (String limit : List.of("0", "-5")) {
            Run run = cli(index(Fixtures.memoryStore(), "--limit", limit));
            assertThat(run.status()).isEqualTo(2);
            assertThat(run.err())
                    .contains("--limit must be a positive number of rows, got " + limit);
        }
        for (String k : List.of("0", "101")) {
            Run run = cli(search("cat", "-k", k));
            assertThat(run.status()).isEqualTo(2);
            assertThat(run.err()).contains("-k must be between 1 and 100, got " + k);
        }
        assertThat(SearchCommand.MAX_K).isEqualTo(GalleryServer.MAX_K).isEqualTo(100);
        assertThat(parse(cli(search("cat", "-k", "100", "--json")).out())).hasSize(12);
    }

    @Test
    void aFailedIndexLeavesNoNewTable() throws Exception {
        String lance = "lance:" + tmp.resolve("db-failed");
        Run wrongSplit = cli(index(lance, "--split", "nosuch"));
        assertThat(wrongSplit.status()).isEqualTo(1);
        assertThat(wrongSplit.err()).contains("nosuch").contains("valid");
        assertNoTable(lance);

        Path corrupt = tmp.resolve("corrupt.parquet");
        Files.write(corrupt, "PAR1 this is not a parquet file at all PAR1".getBytes());
        Run bad =
                cli(
                        "index",
                        "--model",
                        modelDir.toString(),
                        "--dataset",
                        corrupt.toString(),
                        "--split",
                        "train",
                        "--store",
                        lance);
        assertThat(bad.status()).as(bad.out()).isEqualTo(1);
        assertThat(bad.err()).contains("Error: ");
        assertNoTable(lance);

        Run search = cli("search", "cat", "--model", modelDir.toString(), "--store", lance);
        assertThat(search.status()).isEqualTo(1);
        assertThat(search.err())
                .contains("No table 'image_search' in " + lance)
                .contains("clip-search index --store " + lance);
    }

    private static void assertNoTable(String uri) {
        assertThatThrownBy(() -> VectorStores.openExisting(uri, VectorStores.DEFAULT_TABLE).close())
                .isInstanceOf(StoreNotFoundException.class);
    }

    @Test
    void anEmptyTableSaysSoAndFails() {
        String empty = "lance:" + tmp.resolve("db-empty");
        try (VectorStore s = VectorStores.open(empty, "empty", 32)) {
            assertThat(s.count()).isZero();
        }
        Run run =
                cli(
                        "search",
                        "cat",
                        "--model",
                        modelDir.toString(),
                        "--store",
                        empty,
                        "--table",
                        "empty");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("Table 'empty' in " + empty + " is empty").contains("index");
    }

    @Test
    void aStorePathThatIsAFileSaysSo() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Run run = cli(index("lance:" + file));
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err())
                .contains(file + " is a file, but a Lance store is a directory")
                .doesNotContain("Cannot lock");
        Run search =
                cli("search", "cat", "--model", modelDir.toString(), "--store", "lance:" + file);
        assertThat(search.status()).isEqualTo(1);
        assertThat(search.err()).contains("is a file");
    }

    @Test
    void withoutTheHubAndWithAnEmptyCacheTheErrorPointsAtLocalDirectories() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path cache = Files.createDirectories(tmp.resolve("empty-cache"));
        Supplier<HfHub.Builder> saved = ModelOptions.hubBuilder;
        ModelOptions.hubBuilder =
                () ->
                        HfHub.builder()
                                .endpoint("http://127.0.0.1:" + closedPort)
                                .cacheDir(cache)
                                .maxRetries(0);
        try {
            Run run = cli("index", "--store", Fixtures.memoryStore());
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err())
                    .contains("cannot be reached")
                    .contains("--model DIR")
                    .contains("--dataset DIR|FILE")
                    .doesNotContain("set HF_HUB_OFFLINE=1");
        } finally {
            ModelOptions.hubBuilder = saved;
        }
        // with repositories in the cache, offline mode can help: the Hub's own advice stands
        Files.createDirectories(cache.resolve("models--org--model"));
        assertThat(
                        FirstRunHelp.message(
                                new HubNetworkException(
                                        "x; to use only files already in the cache, set HF_HUB_OFFLINE=1."),
                                cache))
                .isNull();
        assertThat(FirstRunHelp.message(new IllegalStateException("other"), tmp.resolve("none")))
                .isNull();
    }

    @Test
    void eachCommandsHelpListsOnlyItsOptionsWithoutPicocliWarnings() {
        PrintStream savedErr = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            String searchHelp = help("search");
            assertThat(searchHelp).contains("--queries", "--model", "--store", "--table", "-k");
            assertThat(searchHelp)
                    .doesNotContain("--split", "--dataset", "--batch-size", "--write-batch-size")
                    .doesNotContain("--workers", "--limit", "--class-names");
            String serveHelp = help("serve");
            assertThat(serveHelp).contains("--model", "--store", "--port");
            assertThat(serveHelp).doesNotContain("--split", "--batch-size", "--limit");
            String indexHelp = help("index");
            assertThat(indexHelp)
                    .contains("--split", "--dataset", "--batch-size", "--write-batch-size")
                    .contains("--limit", "--workers", "--class-names", "--store")
                    .doesNotContain("--port", "--queries");
            String ingestHelp = help("bench", "ingest");
            // bench ingest takes a --store of its own (default: a temporary Lance table)
            assertThat(ingestHelp).contains("--dataset", "--batch-size", "--model", "--store");
            assertThat(ingestHelp).doesNotContain("--table", "--write-batch-size");
            for (String[] command :
                    List.of(
                            new String[] {"bench"},
                            new String[] {"bench", "store"},
                            new String[] {"bench", "encoders"},
                            new String[] {"eval"},
                            new String[] {"demo"},
                            new String[] {"embed"},
                            new String[] {"info"})) {
                help(command);
            }
        } finally {
            System.setErr(savedErr);
        }
        assertThat(stderr.toString(StandardCharsets.UTF_8)).doesNotContain("picocli").isEmpty();
    }

    private static String help(String... command) {
        String[] args = java.util.Arrays.copyOf(command, command.length + 1);
        args[command.length] = "--help";
        Run run = cli(args);
        assertThat(run.status()).as(String.join(" ", args)).isZero();
        assertThat(run.err()).as(String.join(" ", args)).isEmpty();
        return run.out();
    }
}
