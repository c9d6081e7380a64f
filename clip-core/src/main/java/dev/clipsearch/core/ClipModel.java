package dev.clipsearch.core;

import ai.djl.Device;

/**
 * A loaded CLIP model (weights in native memory). Encoders are lightweight views sharing the
 * weights; all are thread-safe. Close the model to free its native memory; encoders must not be
 * used afterwards.
 */
public interface ClipModel extends AutoCloseable {

    /** The architecture read from {@code config.json}. */
    ClipConfig config();

    /** An image encoder returning L2-normalised vectors. */
    ImageEncoder imageEncoder();

    /** An image encoder in the given mode. */
    ImageEncoder imageEncoder(EmbeddingMode mode);

    /** A text encoder returning L2-normalised vectors. */
    TextEncoder textEncoder();

    /** A text encoder in the given mode. */
    TextEncoder textEncoder(EmbeddingMode mode);

    /** Embedding length ({@code projection_dim}). */
    int dimension();

    /** Where the forward pass runs (DJL device, CPU or a GPU). */
    Device device();

    /**
     * {@code exp(logit_scale)}: the factor transformers multiplies cosine similarities by to get
     * {@code logits_per_image}.
     */
    float logitScale();

    @Override
    void close();
}
