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

    /**
     * The precision the forward pass uses: {@link Precision#FP32} or {@link Precision#BF16}, with
     * {@link Precision#AUTO} resolved at load time (never {@code AUTO}). Implementations that only
     * compute in float32 need not override this.
     */
    default Precision precision() {
        return Precision.FP32;
    }

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
