package dev.clipsearch.search;

/** The metadata keys that {@link ImageIndexer} writes on every record. */
public final class Metadata {
    /** The readable class name of the record's label. */
    public static final String LABEL_NAME = "labelName";

    /** Where the image comes from: {@code <dataset>/<split>}. */
    public static final String SOURCE = "source";

    /** The image's width in pixels. */
    public static final String WIDTH = "width";

    /** The image's height in pixels. */
    public static final String HEIGHT = "height";

    /**
     * The image's original file name in the dataset ({@code val_123.JPEG}), when the dataset has
     * one.
     */
    public static final String PATH = "path";

    private Metadata() {}
}
