package dev.clipsearch.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.clipsearch.search.ImageHit;
import dev.clipsearch.search.ImageSearch;
import dev.clipsearch.store.Filter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clip-search search "a red sports car" -k 9}: the nearest images, best first. */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        description = "Find the images closest to a text (or, with --image, to an example image).")
final class SearchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "QUERY", description = "What the images should show.")
    String query;

    @Option(
            names = "-k",
            paramLabel = "K",
            description = "How many images (default: ${DEFAULT-VALUE}).")
    int k = 9;

    @Option(
            names = "--image",
            paramLabel = "FILE",
            description = "Search by example image instead of text.")
    Path image;

    @Option(names = "--label", paramLabel = "N", description = "Only images with this class label.")
    Integer label;

    @Option(
            names = "--json",
            description = "Print [{\"id\", \"label\", \"labelName\", \"score\"}, ...] best first.")
    boolean json;

    @Override
    public Integer call() {
        if ((query == null || query.isBlank()) == (image == null)) {
            throw new ParameterException(
                    spec.commandLine(), "Give either a QUERY text or --image FILE");
        }
        if (k < 1 || k > GalleryServer.MAX_K * 100) {
            throw new ParameterException(
                    spec.commandLine(), "-k must be between 1 and " + GalleryServer.MAX_K * 100);
        }
        byte[] example = image == null ? null : readImage(image);
        Filter filter = label == null ? null : Filter.labelEquals(label);
        List<ImageHit> hits;
        common.announcePrecision(spec.commandLine().getErr());
        try (ImageSearch search =
                ImageSearch.open(
                        common.model,
                        common.store,
                        common.table,
                        common.hub(),
                        common.modelOptions(),
                        common.allowModelMismatch)) {
            hits =
                    example == null
                            ? search.findHits(query, k, filter)
                            : search.findSimilarHits(example, image.toString(), k, filter);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ArrayNode array = mapper.createArrayNode();
            for (ImageHit hit : hits) {
                array.addObject()
                        .put("id", hit.id())
                        .put("label", hit.label())
                        .put("labelName", hit.labelName())
                        .put("score", hit.score());
            }
            out.println(array);
        } else if (hits.isEmpty()) {
            out.println("No images found.");
        } else {
            int rank = 1;
            for (ImageHit hit : hits) {
                out.printf(
                        "%3d  %.4f  %-16s %5d  %s%n",
                        rank++, hit.score(), hit.id(), hit.label(), hit.labelName());
            }
        }
        out.flush();
        return 0;
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
}
