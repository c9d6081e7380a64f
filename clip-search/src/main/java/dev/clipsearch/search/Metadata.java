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

    /**
     * Where exactly the image comes from: {@code <dataset>/<split>/<path>} when the dataset names
     * its files (image folders, HF parquet with {@code image.path}), else {@code
     * <dataset>/<split>#<row>}.
     */
    public static final String ORIGIN = "origin";

    /**
     * The lower-case hex SHA-256 of the stored image bytes: with {@link #SOURCE} and the label,
     * what a resumed run compares to decide whether a stored row is still the dataset's row.
     */
    public static final String SHA256 = "sha256";

    /**
     * Table metadata key ({@link dev.clipsearch.store.VectorStore#tableMetadata()}): the names of
     * the datasets the table holds, one per line.
     */
    public static final String TABLE_DATASETS = "datasets";

    private Metadata() {}
}
