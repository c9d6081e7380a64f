package dev.clipsearch.dataset;

import java.nio.file.Path;

/**
 * The class names of a dataset, for display and zero-shot prompts: a caller's TSV when given, else
 * readable names for Tiny ImageNet (whose dataset card names its classes by WordNet id), else the
 * dataset's own names.
 *
 * <pre>{@code
 * LabelNames names = ClassNames.labelNames(HfDatasets.load("zh-plus/tiny-imagenet"), null);
 * names.name(0); // Optional[goldfish]
 * }</pre>
 */
public final class ClassNames {
    private ClassNames() {}

    /**
     * The class names to show and to prompt with: those of {@code classNamesTsv} when given; for
     * Tiny ImageNet, whose own names are WordNet ids ({@code n01443537}), the readable names
     * published with CLIP; else the dataset's own.
     *
     * @param dataset the dataset whose classes are named
     * @param classNamesTsv a TSV file with {@code label} and {@code name} columns, or null
     * @throws DatasetException when the TSV cannot be read or parsed
     */
    public static LabelNames labelNames(HfDataset dataset, Path classNamesTsv) {
        if (classNamesTsv != null) {
            return LabelNames.fromTsv(classNamesTsv);
        }
        LabelNames own = dataset.labelNames();
        if (isTinyImageNetOrder(own)) {
            return TinyImageNet.readableNames();
        }
        return own;
    }

    /**
     * Whether the names are the 200 WordNet ids of Tiny ImageNet with label i the i-th id in sorted
     * order, the order {@link TinyImageNet#readableNames()} is keyed by.
     */
    public static boolean isTinyImageNetOrder(LabelNames names) {
        if (names.size() != 200) {
            return false;
        }
        String previous = "";
        int expected = 0;
        for (var e : names.asMap().entrySet()) {
            if (e.getKey() != expected++
                    || !e.getValue().matches("n\\d{8}")
                    || e.getValue().compareTo(previous) <= 0) {
                return false;
            }
            previous = e.getValue();
        }
        return true;
    }
}
