package dev.clipsearch.examples;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.search.ImageHit;
import dev.clipsearch.search.ImageSearch;
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
        try (VectorStore store = timer.time("table", this::openNonEmpty)) {
            if (timings) {
                timer.time("engine", () -> Engine.getEngine("PyTorch"));
            }
            try (ClipModel model = timer.time("model", this::loadModel)) {
                search(new ImageSearch(model, store), example, queryFile, filter, timer, out);
            }
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
                    List<ImageHit> hits = search.findHits(q, k, filter);
                    ObjectNode node = mapper.createObjectNode().put("query", q);
                    toJson(hits, node.putArray("results"));
                    out.println(node);
                    out.flush();
                    timer.mark("query");
                }
            }
        } else {
            List<ImageHit> hits =
                    example == null
                            ? search.findHits(query, k, filter)
                            : search.findSimilarHits(example, image.toString(), k, filter);
            timer.mark("query");
            print(hits, out);
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

    /** Wall-clock milliseconds per step since the command started. */
    private static final class Timer {
        private final StringBuilder steps = new StringBuilder();
        private final long start = System.nanoTime();
        private long last = start;
        private int queries;

        <T> T time(String step, java.util.function.Supplier<T> work) {
            T value = work.get();
            mark(step);
            return value;
        }

        void mark(String step) {
            long now = System.nanoTime();
            if (step.equals("query") && queries++ > 0) {
                step = "query " + queries;
            }
            steps.append(String.format(Locale.ROOT, " %s %.0f ms,", step, (now - last) / 1e6));
            last = now;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "Timings:%s total %.0f ms (JVM start-up not included)",
                    steps,
                    (System.nanoTime() - start) / 1e6);
        }
    }
}
