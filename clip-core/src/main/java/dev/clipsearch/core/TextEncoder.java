package dev.clipsearch.core;

import java.util.List;

/**
 * Encodes text into the CLIP embedding space. Obtained from {@link ClipModel#textEncoder()};
 * thread-safe. Vectors are L2-normalised unless the encoder was made with {@link
 * EmbeddingMode#RAW}. Texts longer than the model's context (77 tokens) are truncated, keeping
 * {@code <|endoftext|>} last.
 */
public interface TextEncoder extends AutoCloseable {

    /** Length of the vectors. */
    int dimension();

    /** Encodes one text. */
    float[] encode(String text);

    /** Encodes texts with one forward pass per batch, in order. */
    List<float[]> encodeAll(List<String> texts);

    /**
     * The token ids the model sees for a text: {@code <|startoftext|>}, the BPE tokens, {@code
     * <|endoftext|>}, padded with {@code <|endoftext|>} to the context length (77).
     */
    int[] tokenize(String text);

    /** Releases this view; the model's weights stay until {@link ClipModel#close()}. */
    @Override
    void close();
}
