package dev.clipsearch.dataset;

/**
 * The columns a parquet split is read from.
 *
 * @param image the image column: HF's {@code struct<bytes, path>} or plain binary
 * @param label the class label column (any integer type); a file without it gives label -1
 */
record ParquetColumns(String image, String label) {

    /** The column names of HF image classification datasets. */
    static final ParquetColumns DEFAULT = new ParquetColumns("image", "label");
}
