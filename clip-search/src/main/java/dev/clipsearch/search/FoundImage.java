package dev.clipsearch.search;

import java.awt.image.BufferedImage;

/**
 * One image found by {@link ImageSearch}, best first in the list.
 *
 * @param id the record's id
 * @param label the record's class label
 * @param labelName the readable class name, or the label as text when the record has none
 * @param score cosine similarity between the query and the image, in [-1, 1]
 * @param image the decoded image (EXIF orientation applied)
 */
public record FoundImage(
        String id, int label, String labelName, float score, BufferedImage image) {}
