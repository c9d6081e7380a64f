package dev.clipsearch.dataset;

import java.util.List;

/** An image-classification dataset: named splits of (image, label) rows, and the label names. */
public interface HfDataset {

    /** The dataset's name: its Hub repo id, or the local directory or file name. */
    String name();

    /** The split names, in the dataset's order. */
    List<String> splits();

    /**
     * The named split.
     *
     * @throws DatasetException when the dataset has no such split; the message lists the splits it
     *     has
     */
    DatasetSplit split(String name);

    /** The names of the labels (empty when the dataset doesn't name them). */
    LabelNames labelNames();
}
