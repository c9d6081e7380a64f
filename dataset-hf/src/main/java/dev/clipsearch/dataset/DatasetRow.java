package dev.clipsearch.dataset;

/**
 * One image of a dataset split.
 *
 * @param split the split the row belongs to
 * @param index the row's stable index within the split (0-based, counts bad rows too)
 * @param image the encoded image (PNG, JPEG, ...), as stored
 * @param label the class label, or -1 when the dataset has none
 * @param path the image's original file name ({@code image.path} in HF parquet, the relative file
 *     path of an image folder), or {@code null} when unknown
 */
public record DatasetRow(String split, long index, byte[] image, int label, String path) {}
