package dev.clipsearch.core;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * {@link ClipModel} over a {@link ClipNetwork}, a {@link ClipTokenizer} and a {@link
 * ClipImagePreprocessor}.
 */
final class DefaultClipModel implements ClipModel {

    /** Largest batch handed to one forward pass by the {@code encodeAll} methods. */
    static final int MAX_BATCH = 32;

    private final ClipNetwork network;
    private final ClipTokenizer tokenizer;
    private final ClipImagePreprocessor preprocessor;

    /** Forward passes hold the read lock, close the write lock: no pass runs on freed weights. */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();

    private boolean closed;

    DefaultClipModel(
            ClipNetwork network, ClipTokenizer tokenizer, ClipImagePreprocessor preprocessor) {
        this.network = network;
        this.tokenizer = tokenizer;
        this.preprocessor = preprocessor;
    }

    @Override
    public ClipConfig config() {
        return network.config();
    }

    @Override
    public ImageEncoder imageEncoder() {
        return imageEncoder(EmbeddingMode.NORMALIZED);
    }

    @Override
    public ImageEncoder imageEncoder(EmbeddingMode mode) {
        return new ImageView(Objects.requireNonNull(mode, "mode"));
    }

    @Override
    public TextEncoder textEncoder() {
        return textEncoder(EmbeddingMode.NORMALIZED);
    }

    @Override
    public TextEncoder textEncoder(EmbeddingMode mode) {
        return new TextView(Objects.requireNonNull(mode, "mode"));
    }

    @Override
    public int dimension() {
        return network.config().projectionDim();
    }

    @Override
    public Precision precision() {
        return network.precision();
    }

    @Override
    public Device device() {
        return network.device();
    }

    @Override
    public float logitScale() {
        return (float) Math.exp(network.logitScale());
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            tokenizer.close();
            network.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Runs native work unless the model is closed (then: IllegalStateException). */
    private <T> T forward(Supplier<T> pass) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the CLIP model is closed");
            }
            return pass.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        double norm = Math.sqrt(sum);
        if (norm > 0) {
            float inv = (float) (1.0 / norm);
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }

    private static List<float[]> finish(float[][] rows, EmbeddingMode mode) {
        List<float[]> out = new ArrayList<>(rows.length);
        for (float[] r : rows) {
            out.add(mode == EmbeddingMode.NORMALIZED ? normalize(r) : r);
        }
        return out;
    }

    /**
     * What the image and text views share: the embedding mode, the dimension, and a close that
     * frees nothing.
     */
    private abstract class EncoderView {
        final EmbeddingMode mode;

        EncoderView(EmbeddingMode mode) {
            this.mode = mode;
        }

        public int dimension() {
            return DefaultClipModel.this.dimension();
        }

        public void close() {
            // a view: the model owns the weights
        }
    }

    private final class ImageView extends EncoderView implements ImageEncoder {

        ImageView(EmbeddingMode mode) {
            super(mode);
        }

        @Override
        public float[] encode(BufferedImage image) {
            return encodePreprocessed(List.of(preprocessor.preprocess(image, "image"))).get(0);
        }

        @Override
        public float[] encode(byte[] encodedImage, String inputName) {
            return encodePreprocessed(List.of(preprocess(encodedImage, inputName))).get(0);
        }

        @Override
        public float[] encode(Path imageFile) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(imageFile);
            } catch (IOException e) {
                throw new ImageDecodeException(
                        imageFile.toString(), "cannot read file: " + e.getMessage(), e);
            }
            return encode(bytes, imageFile.toString());
        }

        @Override
        public List<float[]> encodeAll(List<BufferedImage> images) {
            List<float[]> out = new ArrayList<>(images.size());
            for (int start = 0; start < images.size(); start += MAX_BATCH) {
                List<PreprocessedImage> batch = new ArrayList<>();
                for (int i = start; i < Math.min(images.size(), start + MAX_BATCH); i++) {
                    batch.add(preprocessor.preprocess(images.get(i), "image #" + i));
                }
                out.addAll(encodePreprocessed(batch));
            }
            return out;
        }

        @Override
        public PreprocessedImage preprocess(byte[] encodedImage, String inputName) {
            return preprocessor.preprocess(encodedImage, inputName);
        }

        @Override
        public List<float[]> encodePreprocessed(List<PreprocessedImage> batch) {
            if (batch.isEmpty()) {
                return List.of();
            }
            int size = network.config().vision().imageSize();
            int per = 3 * size * size;
            float[] pixels = new float[batch.size() * per];
            for (int i = 0; i < batch.size(); i++) {
                PreprocessedImage p = batch.get(i);
                if (p.size() != size) {
                    throw new IllegalArgumentException(
                            "image '"
                                    + p.inputName()
                                    + "' was preprocessed to "
                                    + p.size()
                                    + "x"
                                    + p.size()
                                    + " but the model takes "
                                    + size
                                    + "x"
                                    + size);
                }
                System.arraycopy(p.pixels(), 0, pixels, i * per, per);
            }
            return finish(forward(() -> network.encodeImages(pixels, batch.size())), mode);
        }

        @Override
        public List<ImageEmbeddingResult> encodeAllBytes(
                List<byte[]> images, List<String> inputNames) {
            if (images.size() != inputNames.size()) {
                throw new IllegalArgumentException(
                        images.size() + " images but " + inputNames.size() + " names");
            }
            ImageEmbeddingResult[] results = new ImageEmbeddingResult[images.size()];
            List<PreprocessedImage> batch = new ArrayList<>();
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                String name = inputNames.get(i);
                try {
                    batch.add(preprocess(images.get(i), name));
                    positions.add(i);
                } catch (IllegalArgumentException e) {
                    results[i] = ImageEmbeddingResult.failure(name, e);
                }
                if (batch.size() == MAX_BATCH || (i == images.size() - 1 && !batch.isEmpty())) {
                    List<float[]> vectors = encodePreprocessed(batch);
                    for (int j = 0; j < vectors.size(); j++) {
                        int at = positions.get(j);
                        results[at] =
                                ImageEmbeddingResult.success(inputNames.get(at), vectors.get(j));
                    }
                    batch.clear();
                    positions.clear();
                }
            }
            return List.of(results);
        }
    }

    private final class TextView extends EncoderView implements TextEncoder {

        TextView(EmbeddingMode mode) {
            super(mode);
        }

        @Override
        public float[] encode(String text) {
            return encodeAll(List.of(text)).get(0);
        }

        @Override
        public List<float[]> encodeAll(List<String> texts) {
            List<float[]> out = new ArrayList<>(texts.size());
            for (int start = 0; start < texts.size(); start += MAX_BATCH) {
                int end = Math.min(texts.size(), start + MAX_BATCH);
                int from = start;
                float[][] features =
                        forward(
                                () -> {
                                    long[][] ids = new long[end - from][];
                                    for (int i = from; i < end; i++) {
                                        ids[i - from] = tokenizer.encode(texts.get(i));
                                    }
                                    return network.encodeTexts(ids);
                                });
                out.addAll(finish(features, mode));
            }
            return out;
        }

        @Override
        public int[] tokenize(String text) {
            long[] ids = forward(() -> tokenizer.encode(text));
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = Math.toIntExact(ids[i]);
            }
            return out;
        }
    }

    /** Text features straight from token ids (for parity checks against transformers). */
    float[][] encodeTokenIds(long[][] ids) {
        return forward(() -> network.encodeTexts(ids));
    }

    /** Image features straight from CHW pixel values (for parity checks against transformers). */
    float[][] encodePixels(float[] pixels, int batch) {
        return forward(() -> network.encodeImages(pixels, batch));
    }
}
