package dev.clipsearch.examples;

import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.LabelNames;
import dev.clipsearch.dataset.TinyImageNet;
import java.nio.file.Path;

/** The class names of a dataset, for display and prompts. */
final class ClassNames {
    private ClassNames() {}

    /**
     * The class names to show and to prompt with: those of {@code classNamesTsv} when given; for
     * Tiny ImageNet, whose own names are WordNet ids ({@code n01443537}), the readable names
     * published with CLIP; else the dataset's own.
     */
    static LabelNames labelNames(HfDataset dataset, Path classNamesTsv) {
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
    static boolean isTinyImageNetOrder(LabelNames names) {
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
