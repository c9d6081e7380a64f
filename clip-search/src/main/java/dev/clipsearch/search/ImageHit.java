package dev.clipsearch.search;

/**
 * One image found by {@link ImageSearch#findHits} or {@link ImageSearch#findSimilarHits}, without
 * its image: fetch the stored bytes with {@link ImageSearch#imageBytes(String)} when needed.
 *
 * @param id the record's id
 * @param label the record's class label
 * @param labelName the readable class name, or the label as text when the record has none
 * @param score cosine similarity between the query and the image, in [-1, 1]
 */
public record ImageHit(String id, int label, String labelName, float score) {}
