package dev.clipsearch.core;

/**
 * The outcome of encoding one image of a batch: either a vector or the error that image caused.
 *
 * @param inputName the caller's name for the image
 * @param vector the embedding, or {@code null} if the image failed
 * @param error why the image failed (e.g. an {@link ImageDecodeException}), or {@code null}
 */
public record ImageEmbeddingResult(String inputName, float[] vector, RuntimeException error) {

    public ImageEmbeddingResult {
        if ((vector == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of vector and error must be set");
        }
    }

    /** A successful result. */
    public static ImageEmbeddingResult success(String inputName, float[] vector) {
        return new ImageEmbeddingResult(inputName, vector, null);
    }

    /** A failed result. */
    public static ImageEmbeddingResult failure(String inputName, RuntimeException error) {
        return new ImageEmbeddingResult(inputName, null, error);
    }

    /** Whether this image was encoded. */
    public boolean isSuccess() {
        return vector != null;
    }
}
