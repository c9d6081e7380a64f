package dev.clipsearch.dataset;

/**
 * A row that was skipped because its image is missing or not an image.
 *
 * @param split the split of the row
 * @param index the row's index within the split
 * @param reason why it was skipped (human readable)
 */
public record BadRow(String split, long index, String reason) {}
