package dev.clipsearch.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.core.TextEncoder;
import dev.clipsearch.dataset.LabelNames;
import dev.clipsearch.store.Filter;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.VectorChecks;
import dev.clipsearch.store.VectorStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Measures retrieval quality on an indexed, labelled split, the way CLIP papers do:
 *
 * <ul>
 *   <li>zero-shot top-1 accuracy: each image against one prompt per class ({@code "a photo of a
 *       {}."} filled with the class name); right when the closest prompt is the image's own class;
 *   <li>text-to-image precision@10: each class prompt as a query over all images; the share of its
 *       10 nearest images that have that class, averaged over classes.
 * </ul>
 */
public final class Evaluation {
    /** The prompt template when none is given. */
    public static final String DEFAULT_TEMPLATE = "a photo of a {}.";

    /** Neighbours per class query for precision@k. */
    public static final int PRECISION_K = 10;

    private Evaluation() {}

    /**
     * What an evaluation measured.
     *
     * @param zeroShotTop1 share of images whose nearest class prompt is their own class
     * @param textToImagePrecisionAt10 mean share of a class prompt's 10 nearest images that have
     *     that class
     * @param images images evaluated
     * @param classes classes (prompts)
     * @param top10 per class name, the 10 nearest images (their file name when known, else their
     *     id), best first
     */
    public record Result(
            double zeroShotTop1,
            double textToImagePrecisionAt10,
            long images,
            int classes,
            Map<String, List<String>> top10) {

        /** Copies the map. */
        public Result {
            top10 = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(top10));
        }

        /**
         * {@code {"zero_shot_top1": x, "text_to_image_precision_at_10": x, "images": n, "classes":
         * n}}.
         */
        public String toJson() {
            ObjectMapper json = new ObjectMapper();
            ObjectNode node = json.createObjectNode();
            node.put("zero_shot_top1", zeroShotTop1);
            node.put("text_to_image_precision_at_10", textToImagePrecisionAt10);
            node.put("images", images);
            node.put("classes", classes);
            return node.toString();
        }

        /** Two lines for people. */
        public String toText() {
            return String.format(
                    Locale.ROOT,
                    "zero-shot top-1:             %.4f  (%d images, %d classes; chance %.4f)%n"
                            + "text-to-image precision@10:  %.4f",
                    zeroShotTop1,
                    images,
                    classes,
                    classes == 0 ? 0 : 1.0 / classes,
                    textToImagePrecisionAt10);
        }
    }

    /**
     * Evaluates the records of a store.
     *
     * @param text the text encoder of the model that indexed the store
     * @param store the indexed images (vectors and labels)
     * @param classNames the name of every class, by label
     * @param template a prompt template with one {@code {}} for the class name
     * @param source only records whose {@code source} metadata is this ({@code dataset/split});
     *     null: all records
     */
    public static Result run(
            TextEncoder text,
            VectorStore store,
            LabelNames classNames,
            String template,
            String source) {
        Objects.requireNonNull(classNames, "classNames");
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException(
                    "No class names given: pass the names of the dataset's classes (for"
                            + " example LabelNames.fromTsv(file) of a TSV with 'label' and 'name'"
                            + " columns)");
        }
        if (template == null || !template.contains("{}")) {
            throw new IllegalArgumentException(
                    "The prompt template must contain {} where the class name goes, got '"
                            + template
                            + "'");
        }
        List<Integer> labels = new ArrayList<>(classNames.asMap().keySet());
        List<String> prompts = new ArrayList<>(labels.size());
        for (int label : labels) {
            prompts.add(template.replace("{}", classNames.name(label).orElseThrow()));
        }
        List<float[]> classVectors = new ArrayList<>(prompts.size());
        for (float[] v : text.encodeAll(prompts)) {
            classVectors.add(VectorChecks.normalize(v));
        }

        long[] counts = new long[2]; // images, correct
        store.scan(
                false,
                record -> {
                    if (source != null && !source.equals(record.metadata().get(Metadata.SOURCE))) {
                        return;
                    }
                    float[] v = record.vector();
                    int best = -1;
                    double bestScore = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < classVectors.size(); c++) {
                        double s = VectorChecks.dot(v, classVectors.get(c));
                        if (s > bestScore) {
                            bestScore = s;
                            best = c;
                        }
                    }
                    counts[0]++;
                    if (best >= 0 && labels.get(best) == record.label()) {
                        counts[1]++;
                    }
                });
        if (counts[0] == 0) {
            throw new IllegalArgumentException(
                    "Table '"
                            + store.tableName()
                            + "' holds no images"
                            + (source == null ? "" : " of " + source)
                            + ": index the split first");
        }

        Filter filter = source == null ? null : Filter.metadataEquals(Metadata.SOURCE, source);
        Map<String, List<String>> top10 = new LinkedHashMap<>();
        double precisionSum = 0;
        for (int c = 0; c < labels.size(); c++) {
            List<SearchHit> hits =
                    store.search(
                            new SearchRequest(classVectors.get(c), PRECISION_K, filter, false));
            int relevant = 0;
            List<String> names = new ArrayList<>(hits.size());
            for (SearchHit hit : hits) {
                if (hit.label() == labels.get(c)) {
                    relevant++;
                }
                names.add(hit.metadata().getOrDefault(Metadata.PATH, hit.id()));
            }
            precisionSum += relevant / (double) PRECISION_K;
            top10.put(classNames.name(labels.get(c)).orElseThrow(), names);
        }
        return new Result(
                counts[1] / (double) counts[0],
                precisionSum / labels.size(),
                counts[0],
                labels.size(),
                top10);
    }
}
