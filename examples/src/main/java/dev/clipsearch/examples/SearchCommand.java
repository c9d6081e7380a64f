package dev.clipsearch.examples;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.hub.HubRepo;
import dev.clipsearch.search.ImageHit;
import dev.clipsearch.search.ImageSearch;
import dev.clipsearch.search.ModelProvenance;
import dev.clipsearch.store.Filter;
import dev.clipsearch.store.StoreNotFoundException;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clip-search search "a red sports car" -k 9}: the nearest images, best first; with {@code
 * --queries FILE} one JSON line per query line, the model and table loaded once.
 */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        description =
                "Find the images closest to a text (or, with --image, to an example image); with "
                        + "--queries, to each line of a file or of stdin, as JSON lines.")
final class SearchCommand implements Callable<Integer> {
    /** The most images one search returns, on the command line as in the web API. */
    static final int MAX_K = GalleryServer.MAX_K;

    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "QUERY", description = "What the images should show.")
    String query;

    @Option(
            names = "-k",
            paramLabel = "K",
            description = "How many images, 1.." + MAX_K + " (default: ${DEFAULT-VALUE}).")
    int k = 9;

    @Option(
            names = "--image",
            paramLabel = "FILE",
            description = "Search by example image instead of text.")
    Path image;

    @Option(
            names = "--queries",
            paramLabel = "FILE",
            description =
                    "Run every line of FILE ('-': stdin) as a query, in one process; prints one JSON "
                            + "line {\"query\", \"results\": [{\"id\", \"label\", \"labelName\", "
                            + "\"score\"}, ...]} per query, as each is answered. Blank lines are skipped.")
    String queries;

    @Option(names = "--label", paramLabel = "N", description = "Only images with this class label.")
    Integer label;

    @Option(
            names = "--json",
            description = "Print [{\"id\", \"label\", \"labelName\", \"score\"}, ...] best first.")
    boolean json;

    @Option(
            names = "--timings",
            description =
                    "Print on stderr where the time went: engine, model, table and query, in ms.")
    boolean timings;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        boolean text = query != null && !query.isBlank();
        int given = (text ? 1 : 0) + (image != null ? 1 : 0) + (queries != null ? 1 : 0);
        if (given != 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Give exactly one of: a QUERY text, --image FILE or --queries FILE");
        }
        if (k < 1 || k > MAX_K) {
            throw new ParameterException(
                    spec.commandLine(), "-k must be between 1 and " + MAX_K + ", got " + k);
        }
        byte[] example = image == null ? null : readImage(image);
        Path queryFile = queries == null || queries.equals("-") ? null : Path.of(queries);
        if (queryFile != null && !Files.isRegularFile(queryFile)) {
            throw new IllegalArgumentException(
                    "Queries file not found: " + queryFile + " (give a text file, or - for stdin)");
        }
        common.checkStore();
        Filter filter = label == null ? null : Filter.labelEquals(label);
        common.announcePrecision(spec.commandLine().getErr());
        Timer timer = new Timer();
        PrintWriter out = spec.commandLine().getOut();
        // The table opens (Lance's native library, the dataset) on another thread while the engine
        // and the model load: about a third of a cold start. When the model must be downloaded
        // first, the table is opened first instead, so that a missing table is reported at once.
        LoggerFactory.getILoggerFactory(); // once, here: two threads starting slf4j warn
        CompletableFuture<VectorStore> opening =
                modelIsLocal()
                        ? CompletableFuture.supplyAsync(
                                () -> timer.time("table", this::openNonEmpty), STORE_OPENER)
                        : CompletableFuture.completedFuture(
                                timer.time("table", this::openNonEmpty));
        ClipModel model;
        try {
            if (timings) {
                timer.time("engine", () -> Engine.getEngine("PyTorch"));
            }
            model = timer.time("model", this::loadModel);
        } catch (RuntimeException e) {
            opening.thenAccept(VectorStore::close);
            throw e;
        }
        try (ClipModel m = model;
                VectorStore store = timer.time("waiting for the table", () -> join(opening))) {
            // the table must have been made by this model (or the user says it may be another)
            ModelProvenance.of(common.model, common.hub(), m)
                    .checkTable(store, common.allowModelMismatch, "search");
            search(new ImageSearch(m, store), example, queryFile, filter, timer, out);
        }
        if (timings) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(timer);
            err.flush();
        }
        return 0;
    }

    private void search(
            ImageSearch search,
            byte[] example,
            Path queryFile,
            Filter filter,
            Timer timer,
            PrintWriter out)
            throws IOException {
        if (queries != null) {
            try (BufferedReader lines = reader(queryFile)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String q = line.strip();
                    List<ImageHit> hits = timer.time("query", () -> search.findHits(q, k, filter));
                    ObjectNode node = mapper.createObjectNode().put("query", q);
                    toJson(hits, node.putArray("results"));
                    out.println(node);
                    out.flush();
                    timer.printed();
                }
            }
        } else {
            List<ImageHit> hits =
                    timer.time(
                            "query",
                            () ->
                                    example == null
                                            ? search.findHits(query, k, filter)
                                            : search.findSimilarHits(
                                                    example, image.toString(), k, filter));
            print(hits, out);
            timer.printed();
        }
    }

    /**
     * Opens the table (before the model: a missing or empty table is reported at once); a clear
     * error with the remedy when it is missing or empty.
     */
    private VectorStore openNonEmpty() {
        VectorStore store;
        try {
            store = VectorStores.openExisting(common.store, common.table);
        } catch (StoreNotFoundException e) {
            throw new TableUnusableException(
                    "No table '"
                            + common.table
                            + "' in "
                            + common.store
                            + ": index images into it first (clip-search index --store "
                            + common.store
                            + " --table "
                            + common.table
                            + " --dataset ...), or check --store and --table",
                    e);
        }
        if (store.count() == 0) {
            store.close();
            throw new TableUnusableException(
                    "Table '"
                            + common.table
                            + "' in "
                            + common.store
                            + " is empty (an index run that failed or was stopped before its"
                            + " first write?): index images into it (clip-search index --store "
                            + common.store
                            + " --table "
                            + common.table
                            + " --dataset ...), then search again",
                    null);
        }
        return store;
    }

    /** Opens stores off the main thread (daemon: never holds the JVM). */
    private static final Executor STORE_OPENER =
            command -> {
                Thread t = new Thread(command, "store-open");
                t.setDaemon(true);
                t.start();
            };

    /** Whether the model loads without a download: a local directory or cached weights. */
    private boolean modelIsLocal() {
        if (Files.isDirectory(Path.of(common.model))) {
            return true;
        }
        try {
            return common.hub()
                    .cached(HubRepo.model(common.model), "model.safetensors")
                    .isPresent();
        } catch (RuntimeException e) {
            return false; // not a valid repo id: the model load reports it
        }
    }

    /** The opened store, or the failure of opening it as thrown. */
    private static VectorStore join(CompletableFuture<VectorStore> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private ClipModel loadModel() {
        return ClipModels.fromPretrained(common.model, common.hub(), common.modelOptions());
    }

    private static BufferedReader reader(Path file) throws IOException {
        return file == null
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    private void print(List<ImageHit> hits, PrintWriter out) {
        if (json) {
            ArrayNode array = mapper.createArrayNode();
            toJson(hits, array);
            out.println(array);
        } else {
            int rank = 1;
            for (ImageHit hit : hits) {
                out.printf(
                        "%3d  %.4f  %-16s %5d  %s%n",
                        rank++, hit.score(), hit.id(), hit.label(), hit.labelName());
            }
        }
        out.flush();
    }

    private static void toJson(List<ImageHit> hits, ArrayNode array) {
        for (ImageHit hit : hits) {
            array.addObject()
                    .put("id", hit.id())
                    .put("label", hit.label())
                    .put("labelName", hit.labelName())
                    .put("score", hit.score());
        }
    }

    private static byte[] readImage(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Image file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** The table to search is missing or empty; the message says how to fill it. */
    static final class TableUnusableException extends IllegalStateException {
        TableUnusableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Wall-clock milliseconds per step (steps may overlap: the table opens while the model loads),
     * and when the first result was printed.
     */
    private static final class Timer {
        private final StringBuilder steps = new StringBuilder();
        private final long start = System.nanoTime();
        private long firstResult;
        private int queries;

        <T> T time(String step, Supplier<T> work) {
            long t0 = System.nanoTime();
            T value = work.get();
            record(step, System.nanoTime() - t0);
            return value;
        }

        synchronized void record(String step, long nanos) {
            if (step.equals("query") && queries++ > 0) {
                step = "query " + queries;
            }
            steps.append(String.format(Locale.ROOT, " %s %.0f ms,", step, nanos / 1e6));
        }

        synchronized void printed() {
            if (firstResult == 0) {
                firstResult = System.nanoTime();
            }
        }

        @Override
        public synchronized String toString() {
            return String.format(
                    Locale.ROOT,
                    "Timings:%s first result at %.0f ms, total %.0f ms (after JVM start-up)",
                    steps,
                    (firstResult - start) / 1e6,
                    (System.nanoTime() - start) / 1e6);
        }
    }
}
