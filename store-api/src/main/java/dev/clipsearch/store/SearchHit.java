package dev.clipsearch.store;

import java.util.Map;

/**
 * One search result, best first in the list a store returns.
 *
 * @param id the record's id
 * @param label the record's label
 * @param score cosine similarity between the query and the record's vector, in [-1, 1]
 * @param imageBytes the encoded image, or {@code null} unless requested with {@link
 *     SearchRequest#includeImageBytes()}
 * @param metadata the record's metadata
 */
public record SearchHit(
        String id, int label, float score, byte[] imageBytes, Map<String, String> metadata) {
    /** Copies the metadata map. */
    public SearchHit {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
