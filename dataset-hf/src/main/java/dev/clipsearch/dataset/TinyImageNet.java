package dev.clipsearch.dataset;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Resources for Tiny ImageNet ({@code zh-plus/tiny-imagenet}): readable class names and CLIP's
 * ImageNet prompt templates, for zero-shot classification and natural-language queries.
 */
public final class TinyImageNet {

    /** The Hub dataset id. */
    public static final String REPO_ID = "zh-plus/tiny-imagenet";

    private static final String RESOURCES = "tiny-imagenet/";

    private TinyImageNet() {}

    /**
     * Readable names ("goldfish", "fire salamander", ...) keyed by label index: the curated
     * ImageNet class names published with CLIP, for the 200 classes in the label order of the
     * dataset card (label i is the i-th WordNet id in sorted order, n01443537 = goldfish for label
     * 0).
     */
    public static LabelNames readableNames() {
        try (InputStream in = resource("classes.tsv")) {
            return LabelNames.fromTsv(in, "classpath:" + RESOURCES + "classes.tsv");
        } catch (IOException e) {
            throw new DatasetException(
                    "cannot read the tiny-imagenet class names resource: " + e.getMessage(), e);
        }
    }

    /**
     * The 80 prompt templates published with CLIP for ImageNet ("a photo of a {}." ...); {} stands
     * for the name.
     */
    public static List<String> promptTemplates() {
        try (InputStream in = resource("prompt_templates.json")) {
            return List.copyOf(
                    new ObjectMapper().readValue(in, new TypeReference<List<String>>() {}));
        } catch (IOException e) {
            throw new DatasetException(
                    "cannot read the tiny-imagenet prompt templates resource: " + e.getMessage(),
                    e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = TinyImageNet.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new IOException(
                    "resource " + RESOURCES + name + " is missing from the classpath");
        }
        return in;
    }
}
