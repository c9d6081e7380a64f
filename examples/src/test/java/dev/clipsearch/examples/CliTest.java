package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModelOptions;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.Precision;
import dev.clipsearch.dataset.ClassNames;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.dataset.TestDatasets;
import dev.clipsearch.search.Evaluation;
import dev.clipsearch.search.Fixtures;
import dev.clipsearch.search.FoundImage;
import dev.clipsearch.search.ImageSearch;
import dev.clipsearch.store.VectorChecks;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir static Path tmp;

    static Path modelDir;
    static Path datasetDir;
    static String store;
    static final ObjectMapper json = new ObjectMapper();

    /** What one CLI run printed and returned. */
    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                ClipSearchCli.execute(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        args);
        return new Run(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * {@code command} on the test model and the generated split {@code valid}, into {@code store}.
     */
    static String[] onTheSplit(String command, String store, String... more) {
        List<String> args = new ArrayList<>();
        args.addAll(
                List.of(
                        command,
                        "--model",
                        modelDir.toString(),
                        "--dataset",
                        datasetDir.toString(),
                        "--split",
                        "valid",
                        "--store",
                        store));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @BeforeAll
    static void indexOnce() {
        modelDir = Fixtures.tinyModel(tmp.resolve("model"));
        datasetDir = Fixtures.dataset(tmp, 24);
        store = Fixtures.memoryStore();
        Run index = cli(onTheSplit("index", store, "--batch-size", "5", "--limit", "20"));
        assertThat(index.status()).as(index.err()).isZero();
        assertThat(index.out()).contains("Indexed 20 of 20 rows");
    }

    @Test
    void embedPrintsOneJsonLinePerInputInCommandLineOrder() throws Exception {
        Path a = Files.write(tmp.resolve("a.png"), TestDatasets.png(0, 1, 32));
        Path b = Files.write(tmp.resolve("b.png"), TestDatasets.png(1, 2, 32));
        Run run =
                cli(
                        "embed",
                        "--model",
                        modelDir.toString(),
                        "--text",
                        "a red square",
                        "--image",
                        a.toString(),
                        "--text",
                        "a blue sky",
                        "--image",
                        b.toString(),
                        "--text",
                        "a red square");
        assertThat(run.status()).as(run.err()).isZero();
        List<JsonNode> lines = run.lines().stream().map(CliTest::parse).toList();
        assertThat(lines)
                .extracting(l -> l.get("type").asText())
                .containsExactly("text", "image", "text", "image", "text");
        assertThat(lines)
                .extracting(l -> l.get("input").asText())
                .containsExactly(
                        "a red square", a.toString(), "a blue sky", b.toString(), "a red square");
        // embed is the parity tool: FP32 unless asked otherwise
        ClipModelOptions fp32 = ClipModelOptions.defaults().withPrecision(Precision.FP32);
        try (ClipModel model = ClipModels.load(modelDir, fp32)) {
            float[] text = model.textEncoder().encode("a blue sky");
            float[] image = model.imageEncoder().encode(b);
            assertThat(VectorChecks.cosine(vector(lines.get(2)), text)).isGreaterThan(0.99999);
            assertThat(VectorChecks.cosine(vector(lines.get(3)), image)).isGreaterThan(0.99999);
        }
        for (JsonNode l : lines) {
            assertThat(l.get("embedding")).hasSize(512);
            assertThat(VectorChecks.norm(vector(l))).isBetween(0.999, 1.001);
        }
        assertThat(vector(lines.get(0))).containsExactly(vector(lines.get(4)));

        Run raw = cli("embed", "--model", modelDir.toString(), "--raw", "--text", "a blue sky");
        float[] rawVector = vector(parse(raw.lines().get(0)));
        assertThat(VectorChecks.norm(rawVector))
                .isNotCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(VectorChecks.cosine(rawVector, vector(lines.get(2)))).isGreaterThan(0.99999);

        Run bf16 =
                cli(
                        "embed",
                        "--model",
                        modelDir.toString(),
                        "--precision",
                        "BF16",
                        "--text",
                        "a blue sky");
        assertThat(bf16.status()).as(bf16.err()).isZero();
        float[] bf16Vector = vector(parse(bf16.lines().get(0)));
        assertThat(VectorChecks.cosine(bf16Vector, vector(lines.get(2))))
                .isGreaterThan(0.999)
                .isLessThan(1.0);
    }

    @Test
    void embedExplainsMissingInputs() {
        Run none = cli("embed", "--model", modelDir.toString());
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("Give at least one --image PATH or --text TEXT");
        Run missing =
                cli(
                        "embed",
                        "--model",
                        modelDir.toString(),
                        "--image",
                        tmp.resolve("nope.png").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).startsWith("Error: Image file not found").doesNotContain("\tat ");
    }

    @Test
    void evalIndexesTheSplitAndPrintsWhatTheLibraryMeasures() {
        String evalStore = Fixtures.memoryStore();
        Run run = cli(onTheSplit("eval", evalStore, "--batch-size", "8", "--json"));
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode result = parse(run.out());
        assertThat(result.get("images").asLong()).isEqualTo(24);
        assertThat(result.get("classes").asInt()).isEqualTo(Fixtures.CLASSES.size());
        try (ClipModel model = ClipModels.load(modelDir);
                VectorStore table = VectorStores.openExisting(evalStore, "image_search")) {
            Evaluation.Result library =
                    Evaluation.run(
                            model.textEncoder(),
                            table,
                            ClassNames.labelNames(HfDatasets.load(datasetDir.toString()), null),
                            Evaluation.DEFAULT_TEMPLATE,
                            null);
            assertThat(result.get("zero_shot_top1").asDouble()).isEqualTo(library.zeroShotTop1());
            assertThat(result.get("text_to_image_precision_at_10").asDouble())
                    .isEqualTo(library.textToImagePrecisionAt10());
        }
    }

    @Test
    void namedMainsRunTheirSubcommand() {
        String[] findImages = {
            "a red square", "-k", "2", "--model", modelDir.toString(), "--store", store, "--json"
        };
        Run run = cli(ClipSearchCli.commandArgs("search", findImages));
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(parse(run.out())).hasSize(2);
        assertThat(ClipSearchCli.commandArgs("index", new String[] {"--limit", "3"}))
                .containsExactly("index", "--limit", "3");
    }

    @Test
    void infoJsonDescribesTheTable() {
        Run run = cli("info", "--store", store, "--json");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode info = parse(run.out());
        assertThat(info.get("table").asText()).isEqualTo("image_search");
        assertThat(info.get("rows").asLong()).isEqualTo(20);
        assertThat(info.get("dimension").asInt()).isEqualTo(512);
        assertThat(info.get("index").asText()).isNotBlank();
        // the model and precision that made the table (#10, #12)
        assertThat(info.get("model").get("name").asText())
                .isEqualTo(modelDir.getFileName().toString());
        assertThat(info.get("model").get("dimension").asInt()).isEqualTo(512);
        assertThat(info.get("model").get("fingerprint").asText()).startsWith("sha256:");
        assertThat(info.get("precision").asText()).isIn("FP32", "BF16");
        assertThat(info.get("datasets")).hasSize(1);
        String text = cli("info", "--store", store).out();
        assertThat(text)
                .contains("rows:      20")
                .contains("model:     " + modelDir.getFileName())
                .containsPattern("precision: (FP32|BF16)");
    }

    @Test
    void anotherModelOrDatasetIsRefusedUnlessAllowed() throws Exception {
        // the same architecture with one weight changed
        Path other = Fixtures.tinyModel(tmp.resolve("other"));
        Path weights = other.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 2] ^= 0x40;
        Files.write(weights, bytes);
        Run refused = cli("search", "a red square", "--model", other.toString(), "--store", store);
        assertThat(refused.status()).isNotZero();
        assertThat(refused.err()).contains("was made by model").contains("--allow-model-mismatch");
        Run allowed =
                cli(
                        "search",
                        "a red square",
                        "--model",
                        other.toString(),
                        "--store",
                        store,
                        "--allow-model-mismatch");
        assertThat(allowed.status()).as(allowed.err()).isZero();

        Path pets = tmp.resolve("pets");
        Files.createDirectories(pets.resolve("cat"));
        Files.write(pets.resolve("cat/a.png"), TestDatasets.png(0, 1, 16));
        Files.write(pets.resolve("cat/b.png"), TestDatasets.png(0, 2, 16));
        String fresh = Fixtures.memoryStore();
        String[] petsArgs = {
            "index",
            "--model",
            modelDir.toString(),
            "--dataset",
            pets.toString(),
            "--split",
            "train",
            "--store",
            fresh
        };
        assertThat(cli(petsArgs).status()).isZero();
        Run mixed = cli(onTheSplit("index", fresh, "--limit", "3"));
        assertThat(mixed.status()).isNotZero();
        assertThat(mixed.err()).contains("holds dataset pets").contains("--add");
        Run added = cli(onTheSplit("index", fresh, "--limit", "3", "--add"));
        assertThat(added.status()).as(added.err()).isZero();
        assertThat(cli("info", "--store", fresh).out())
                .contains("datasets:  pets, generated-dataset");
    }

    @Test
    void searchJsonListsTheHitsBestFirst() {
        Run run =
                cli(
                        "search",
                        "a red square",
                        "-k",
                        "6",
                        "--model",
                        modelDir.toString(),
                        "--store",
                        store,
                        "--json");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode hits = parse(run.out());
        assertThat(hits).hasSize(6);
        double previous = 2;
        for (JsonNode hit : hits) {
            assertThat(hit.get("id").asText()).matches("valid-0000[0-1][0-9]");
            assertThat(hit.get("labelName").asText())
                    .isEqualTo(Fixtures.CLASSES.get(hit.get("label").asInt()));
            assertThat(hit.get("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = hit.get("score").asDouble();
        }
        try (ClipModel model = ClipModels.load(modelDir);
                VectorStore s = VectorStores.openExisting(store, "image_search")) {
            List<String> expected =
                    new ImageSearch(model, s)
                            .findImages("a red square", 6).stream().map(FoundImage::id).toList();
            assertThat(hits.findValuesAsText("id")).containsExactlyElementsOf(expected);
        }

        Run filtered =
                cli(
                        "search",
                        "anything",
                        "-k",
                        "50",
                        "--label",
                        "3",
                        "--model",
                        modelDir.toString(),
                        "--store",
                        store,
                        "--json");
        JsonNode only3 = parse(filtered.out());
        assertThat(only3).hasSize(5); // rows 3, 7, 11, 15, 19
        only3.forEach(h -> assertThat(h.get("label").asInt()).isEqualTo(3));

        Run text =
                cli(
                        "search",
                        "a red square",
                        "-k",
                        "2",
                        "--model",
                        modelDir.toString(),
                        "--store",
                        store);
        assertThat(text.lines()).hasSize(2);
        assertThat(text.lines().get(0)).contains("valid-0000");
    }

    @Test
    void encodingCommandsSayTheirPrecisionFirstAndUseIt() {
        java.util.function.Function<String, Run> searchIn =
                precision ->
                        cli(
                                "search",
                                "a red square",
                                "-k",
                                "3",
                                "--precision",
                                precision,
                                "--model",
                                modelDir.toString(),
                                "--store",
                                store,
                                "--json");
        Run fp32 = searchIn.apply("FP32");
        assertThat(fp32.status()).as(fp32.err()).isZero();
        assertThat(fp32.err().lines().findFirst()).hasValue("Precision: FP32 (as requested)");
        Run bf16 = searchIn.apply("BF16");
        assertThat(bf16.status()).as(bf16.err()).isZero();
        assertThat(bf16.err().lines().findFirst()).hasValue("Precision: BF16 (as requested)");
        // same images found; the scores differ by the bf16 rounding only
        JsonNode a = parse(fp32.out());
        JsonNode b = parse(bf16.out());
        assertThat(b.get(0).get("id").asText()).isEqualTo(a.get(0).get("id").asText());
        assertThat(b.get(0).get("score").asDouble())
                .isNotEqualTo(a.get(0).get("score").asDouble())
                .isCloseTo(a.get(0).get("score").asDouble(), within(0.02));
        assertThat(CommonOptions.precisionLine(Precision.AUTO))
                .isEqualTo(
                        "Precision: "
                                + Precision.AUTO.onThisCpu()
                                + " (AUTO: this CPU "
                                + (Precision.AUTO.onThisCpu() == Precision.BF16 ? "has" : "has no")
                                + " native bf16)");
    }

    @Test
    void searchByExampleImageFindsItself() throws Exception {
        Path image = tmp.resolve("row7.png");
        try (VectorStore s = VectorStores.openExisting(store, "image_search")) {
            Files.write(image, s.get("valid-000007").orElseThrow().imageBytes());
        }
        Run run =
                cli(
                        "search",
                        "--image",
                        image.toString(),
                        "-k",
                        "1",
                        "--model",
                        modelDir.toString(),
                        "--store",
                        store,
                        "--json");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(parse(run.out()).get(0).get("id").asText()).isEqualTo("valid-000007");
    }

    @Test
    void errorsAreOneLineWithoutStackTraceUnlessVerbose() {
        Run missing =
                cli(
                        "search",
                        "cat",
                        "--model",
                        modelDir.toString(),
                        "--store",
                        Fixtures.memoryStore());
        assertThat(missing.status()).isEqualTo(1);
        // the precision line first, then the error in one line
        List<String> errLines = missing.err().strip().lines().toList();
        assertThat(errLines).hasSize(2);
        assertThat(errLines.get(0)).startsWith("Precision: ");
        assertThat(errLines.get(1)).startsWith("Error: ").contains("does not exist");

        Run verbose =
                cli(
                        "search",
                        "cat",
                        "--verbose",
                        "--model",
                        modelDir.toString(),
                        "--store",
                        Fixtures.memoryStore());
        assertThat(verbose.status()).isEqualTo(1);
        assertThat(verbose.err()).contains("\tat ");

        Run badScheme = cli("info", "--store", "nosuch:thing");
        assertThat(badScheme.status()).isEqualTo(1);
        assertThat(badScheme.err()).contains("No vector store backend for scheme 'nosuch'");

        Run badModel =
                cli(
                        "search",
                        "cat",
                        "--model",
                        tmp.resolve("no-model-here").toString(),
                        "--store",
                        store);
        assertThat(badModel.status()).isEqualTo(1);
        assertThat(badModel.err().strip().lines().filter(l -> !l.startsWith("Precision: ")))
                .singleElement()
                .asString()
                .startsWith("Error: ");

        Run usage = cli("search", "--model", modelDir.toString(), "--store", store);
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err())
                .contains("Give exactly one of: a QUERY text, --image FILE or --queries FILE");

        Run unknown = cli("frobnicate");
        assertThat(unknown.status()).isEqualTo(2);
    }

    @Test
    void benchSubcommandsPrintJson() {
        for (boolean noIndex : new boolean[] {false, true}) {
            List<String> args =
                    new java.util.ArrayList<>(
                            List.of(
                                    "bench",
                                    "store",
                                    "--sizes",
                                    "40",
                                    "--queries",
                                    "5",
                                    "--store",
                                    Fixtures.memoryStore(),
                                    "--json"));
            if (noIndex) {
                args.add("--no-index");
            }
            Run store = cli(args.toArray(String[]::new));
            assertThat(store.status()).as(store.err()).isZero();
            JsonNode s = parse(store.out()).get("results").get(0);
            assertThat(s.get("rows").asInt()).isEqualTo(40);
            assertThat(s.get("recall_at_10").asDouble()).isEqualTo(1.0);
            // every fetch by id returned its record (the bench fails otherwise)
            assertThat(s.has("fetch_p50_ms")).isTrue();
            assertThat(s.has("fetch_p95_ms")).isTrue();
        }

        Run encoders =
                cli(
                        "bench",
                        "encoders",
                        "--config",
                        modelDir.resolve("config.json").toString(),
                        "--seconds",
                        "0.05",
                        "--json");
        assertThat(encoders.status()).as(encoders.err()).isZero();
        JsonNode bench = parse(encoders.out());
        assertThat(bench.get("images_per_s").get("32").asDouble()).isPositive();
        for (String key : List.of("1", "8", "32")) {
            assertThat(bench.get("bf16").get("images_per_s").get(key).asDouble()).isPositive();
        }
        assertThat(bench.get("bf16").get("text_p50_ms").asDouble()).isPositive();
        assertThat(bench.get("bf16").get("texts_per_s_batch32").asDouble()).isPositive();
        assertThat(bench.get("bf16").get("matmul_gflops").asDouble()).isPositive();
        assertThat(bench.get("bf16_speedup_batch32").asDouble())
                .isCloseTo(
                        bench.get("bf16").get("images_per_s").get("32").asDouble()
                                / bench.get("images_per_s").get("32").asDouble(),
                        org.assertj.core.data.Offset.offset(0.01));

        Run ingest =
                cli(
                        "bench",
                        "ingest",
                        "--model",
                        modelDir.toString(),
                        "--dataset",
                        datasetDir.toString(),
                        "--images",
                        "10",
                        "--batch-size",
                        "5",
                        "--json");
        assertThat(ingest.status()).as(ingest.err()).isZero();
        JsonNode i = parse(ingest.out());
        assertThat(i.get("images").asInt()).isEqualTo(10);
        // without --store the pipeline writes to a temporary Lance table, as indexing does
        assertThat(i.get("store").asText()).startsWith("lance:");
        assertThat(i.get("stored_rows").asLong()).isEqualTo(10);
    }

    @Test
    void helpListsEverySubcommand() {
        Run help = cli("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out())
                .contains("embed", "index", "search", "serve", "demo", "info", "eval", "bench");
    }

    static JsonNode parse(String s) {
        try {
            return json.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    static float[] vector(JsonNode line) {
        JsonNode e = line.get("embedding");
        float[] v = new float[e.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) e.get(i).asDouble();
        }
        return v;
    }
}
