package dev.clipsearch.core;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Encodes images into the CLIP embedding space. Obtained from {@link ClipModel#imageEncoder()};
 * thread-safe. Vectors are L2-normalised unless the encoder was made with {@link
 * EmbeddingMode#RAW}.
 *
 * <p>For throughput, decode and preprocess on worker threads with {@link #preprocess(byte[],
 * String)} and run batches of 8–32 through {@link #encodePreprocessed(List)}.
 */
public interface ImageEncoder extends AutoCloseable {

    /** Length of the vectors. */
    int dimension();

    /** Encodes one decoded image. */
    float[] encode(BufferedImage image);

    /**
     * Encodes one encoded image (JPEG, PNG, ...).
     *
     * @throws ImageDecodeException naming {@code inputName} if the bytes are not a readable image
     */
    float[] encode(byte[] encodedImage, String inputName);

    /** Encodes an image file. */
    float[] encode(Path imageFile);

    /** Encodes decoded images, in batches, in order. */
    List<float[]> encodeAll(List<BufferedImage> images);

    /** Decodes and preprocesses one image: CPU work, safe to call from many threads at once. */
    PreprocessedImage preprocess(byte[] encodedImage, String inputName);

    /** Encodes preprocessed images with one forward pass for the whole list. */
    List<float[]> encodePreprocessed(List<PreprocessedImage> batch);

    /**
     * Encodes encoded images; an image that cannot be decoded gets a result with its error and the
     * others still get their vectors. Results are in input order.
     */
    List<ImageEmbeddingResult> encodeAllBytes(List<byte[]> images, List<String> inputNames);

    /** Releases this view; the model's weights stay until {@link ClipModel#close()}. */
    @Override
    void close();
}
