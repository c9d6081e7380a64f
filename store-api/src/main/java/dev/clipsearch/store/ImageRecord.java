package dev.clipsearch.store;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One indexed image: a stable string id, an integer class label, the encoded image bytes exactly as
 * the dataset gave them (PNG, JPEG, ...), its embedding vector and optional string metadata (for
 * example {@code labelName}, {@code source}, {@code width}, {@code height}).
 *
 * <p>{@code imageBytes} may be {@code null} for records read back without their bytes, or for
 * stores that only point to images kept elsewhere.
 */
public record ImageRecord(
        String id, int label, byte[] imageBytes, float[] vector, Map<String, String> metadata) {

    /** Validates the id and copies the metadata map. */
    public ImageRecord {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("ImageRecord id must not be empty");
        }
        Objects.requireNonNull(vector, "vector of record " + id);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A record without metadata. */
    public ImageRecord(String id, int label, byte[] imageBytes, float[] vector) {
        this(id, label, imageBytes, vector, Map.of());
    }

    /** The same record without its image bytes. */
    public ImageRecord withoutImageBytes() {
        return new ImageRecord(id, label, null, vector, metadata);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRecord r
                && id.equals(r.id)
                && label == r.label
                && Arrays.equals(imageBytes, r.imageBytes)
                && Arrays.equals(vector, r.vector)
                && metadata.equals(r.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                id, label, Arrays.hashCode(imageBytes), Arrays.hashCode(vector), metadata);
    }

    @Override
    public String toString() {
        return "ImageRecord[id="
                + id
                + ", label="
                + label
                + ", imageBytes="
                + (imageBytes == null ? "null" : imageBytes.length + " bytes")
                + ", dimension="
                + vector.length
                + ", metadata="
                + metadata
                + "]";
    }
}
