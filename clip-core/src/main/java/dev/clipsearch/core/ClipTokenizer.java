package dev.clipsearch.core;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CLIP's BPE tokenizer from a Hugging Face {@code tokenizer.json} (DJL's binding of the Rust
 * tokenizers library): normalisation (NFC, whitespace, lower case) as the file defines it, {@code
 * <|startoftext|>} ... {@code <|endoftext|>}, truncation to the context length keeping {@code
 * <|endoftext|>} last, padding with {@code <|endoftext|>}. Thread-safe.
 */
final class ClipTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final int contextLength;
    private final long padId;

    private ClipTokenizer(HuggingFaceTokenizer tokenizer, int contextLength) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        long[] empty = tokenizer.encode("").getIds();
        if (empty.length == 0) {
            throw new ModelLoadException("tokenizer adds no special tokens; not a CLIP tokenizer");
        }
        this.padId = empty[empty.length - 1];
    }

    static ClipTokenizer load(Path tokenizerJson, int contextLength) {
        DjlEnvironment.ensureOffline();
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelLoadException(
                    tokenizerJson
                            + ": file not found (a CLIP model directory needs tokenizer.json)");
        }
        try {
            HuggingFaceTokenizer tokenizer =
                    HuggingFaceTokenizer.builder()
                            .optTokenizerPath(tokenizerJson)
                            .optAddSpecialTokens(true)
                            .optTruncation(true)
                            .optMaxLength(contextLength)
                            .optPadding(false)
                            .build();
            return new ClipTokenizer(tokenizer, contextLength);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(
                    tokenizerJson + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    /** Token ids padded to the context length. */
    long[] encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        Encoding encoding = tokenizer.encode(text);
        long[] ids = encoding.getIds();
        long[] out = Arrays.copyOf(ids, contextLength);
        if (ids.length > contextLength) {
            out[contextLength - 1] = ids[ids.length - 1];
        }
        Arrays.fill(out, Math.min(ids.length, contextLength), contextLength, padId);
        return out;
    }

    int contextLength() {
        return contextLength;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
