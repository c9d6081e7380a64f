package dev.clipsearch.core;

/** Whether encoders return unit-length vectors or the model's raw projected features. */
public enum EmbeddingMode {
    /** L2-normalised: dot product equals cosine similarity (what vector search wants). */
    NORMALIZED,
    /**
     * The projected features as {@code get_image_features} / {@code get_text_features} return them.
     */
    RAW
}
