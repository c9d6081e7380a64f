package dev.clipsearch.search;

import dev.clipsearch.core.ClipImages;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModelOptions;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.ImageEncoder;
import dev.clipsearch.core.TextEncoder;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.store.Filter;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.SearchHit;
import dev.clipsearch.store.SearchRequest;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds images in an indexed table by text ("a red sports car") or by example image. Thread-safe:
 * the CLIP encoders and the stores are.
 *
 * <p>Two levels: {@link #findImages} and {@link #findSimilar} return {@link FoundImage}s with the
 * images decoded; {@link #findHits} and {@link #findSimilarHits} return {@link ImageHit}s (id,
 * label, label name, score) without reading or decoding any image, for callers such as web servers
 * that send {@link #imageBytes(String) the stored bytes} of the images they show.
 *
 * <pre>{@code
 * try (ImageSearch search = ImageSearch.open(ImageIndexer.DEFAULT_MODEL, "lance:./data/lancedb", "image_search")) {
 *   for (FoundImage f : search.findImages("a red sports car", 9)) { ... }
 * }
 * }</pre>
 *
 * <p>Live tables: the search follows the table as another process indexes into it. Before a query,
 * a fetch or {@link #store()}, at most once per {@link #refreshInterval(Duration) refresh interval}
 * (default {@value #DEFAULT_REFRESH_MILLIS} ms), it asks the store for a newer version ({@link
 * VectorStore#refresh()}, a cheap version check); new rows become searchable and fetchable without
 * a restart.
 *
 * <p>{@link #open} checks that the model is the one that made the table ({@link ModelProvenance})
 * and refuses another with {@link ModelMismatchException} unless the mismatch is allowed.
 */
public final class ImageSearch implements AutoCloseable {
    /** How often, at most, the table is checked for a new version when none is set. */
    public static final long DEFAULT_REFRESH_MILLIS = 1000;

    private final TextEncoder textEncoder;
    private final ImageEncoder imageEncoder;
    private final VectorStore store;
    private final AutoCloseable[] owned;
    private volatile long refreshNanos = DEFAULT_REFRESH_MILLIS * 1_000_000L;
    private final AtomicLong lastRefresh = new AtomicLong(System.nanoTime());

    /**
     * Searches {@code store} with the encoders of {@code model}; closing this search closes
     * neither.
     *
     * @throws IllegalArgumentException when the model's and the table's dimensions differ
     */
    public ImageSearch(ClipModel model, VectorStore store) {
        this(model.textEncoder(), model.imageEncoder(), store);
    }

    ImageSearch(
            TextEncoder textEncoder,
            ImageEncoder imageEncoder,
            VectorStore store,
            AutoCloseable... owned) {
        this.textEncoder = Objects.requireNonNull(textEncoder, "textEncoder");
        this.imageEncoder = Objects.requireNonNull(imageEncoder, "imageEncoder");
        this.store = Objects.requireNonNull(store, "store");
        this.owned = owned;
        IngestPipeline.checkDimension(
                imageEncoder, store, "search it with the model that indexed it");
    }

    /**
     * Loads a model (repo id or directory) and opens an existing table; closing the search closes
     * both.
     *
     * @throws IllegalArgumentException when the table doesn't exist or its dimension differs from
     *     the model's
     */
    public static ImageSearch open(String model, String storeUri, String table) {
        return open(model, storeUri, table, HfHub.fromEnvironment());
    }

    /** As {@link #open(String, String, String)}, downloading through {@code hub}. */
    public static ImageSearch open(String model, String storeUri, String table, HfHub hub) {
        return open(model, storeUri, table, hub, ClipModelOptions.defaults());
    }

    /**
     * As {@link #open(String, String, String, HfHub)}, loading the model with {@code options}
     * (device, threads, precision).
     */
    public static ImageSearch open(
            String model, String storeUri, String table, HfHub hub, ClipModelOptions options) {
        return open(model, storeUri, table, hub, options, false);
    }

    /**
     * As {@link #open(String, String, String, HfHub, ClipModelOptions)}; with {@code
     * allowModelMismatch} a table made by another model is searched anyway (with a warning).
     *
     * @throws ModelMismatchException when the table records another model and the mismatch is not
     *     allowed
     */
    public static ImageSearch open(
            String model,
            String storeUri,
            String table,
            HfHub hub,
            ClipModelOptions options,
            boolean allowModelMismatch) {
        // The store first: a missing table is reported at once, before a model download.
        VectorStore store = VectorStores.openExisting(storeUri, table);
        try {
            ClipModel clip = ClipModels.fromPretrained(model, hub, options);
            try {
                IngestPipeline.checkDimension(
                        clip.imageEncoder(), store, "search it with the model that indexed it");
                ModelProvenance.of(model, hub, clip)
                        .checkTable(store, allowModelMismatch, "search");
                return new ImageSearch(clip.textEncoder(), clip.imageEncoder(), store, store, clip);
            } catch (RuntimeException e) {
                clip.close();
                throw e;
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * The table searched, brought up to date when the refresh interval has passed (so that {@code
     * store().info()} counts rows indexed since).
     */
    public VectorStore store() {
        maybeRefresh();
        return store;
    }

    /**
     * How often, at most, to check the table for a new version ({@link Duration#ZERO}: before every
     * query). Returns this search.
     */
    public ImageSearch refreshInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException(
                    "refresh interval must not be negative: " + interval);
        }
        this.refreshNanos = interval.toNanos();
        return this;
    }

    /**
     * Checks the table for a new version now; returns whether there was one (always false for
     * stores that always read the latest state, such as in-memory tables and Qdrant).
     */
    public boolean refresh() {
        lastRefresh.set(System.nanoTime());
        return store.refresh();
    }

    /** Refreshes when the interval has passed; one caller at a time does it. */
    private void maybeRefresh() {
        long last = lastRefresh.get();
        long now = System.nanoTime();
        if (now - last >= refreshNanos && lastRefresh.compareAndSet(last, now)) {
            store.refresh();
        }
    }

    /** The {@code k} images closest to {@code query}, best first. */
    public List<FoundImage> findImages(String query, int k) {
        return findImages(query, k, null);
    }

    /**
     * The {@code k} images closest to {@code query} among those matching {@code filter} (null:
     * all).
     */
    public List<FoundImage> findImages(String query, int k, Filter filter) {
        return decoded(hits(encodeText(query), k, filter, true));
    }

    /** The {@code k} images most like {@code example}, best first. */
    public List<FoundImage> findSimilar(BufferedImage example, int k) {
        return findSimilar(example, k, null);
    }

    /**
     * The {@code k} images most like {@code example} among those matching {@code filter} (null:
     * all).
     */
    public List<FoundImage> findSimilar(BufferedImage example, int k, Filter filter) {
        Objects.requireNonNull(example, "example image");
        return decoded(hits(imageEncoder.encode(example), k, filter, true));
    }

    /**
     * The {@code k} images most like the encoded image {@code exampleBytes} (PNG, JPEG, ...), best
     * first.
     *
     * @throws dev.clipsearch.core.ImageDecodeException when the bytes are not a readable image
     */
    public List<FoundImage> findSimilar(byte[] exampleBytes, int k) {
        return findSimilar(exampleBytes, k, null);
    }

    /**
     * As {@link #findSimilar(byte[], int)}, among the images matching {@code filter} (null: all).
     */
    public List<FoundImage> findSimilar(byte[] exampleBytes, int k, Filter filter) {
        return decoded(hits(encodeImage(exampleBytes, "query image"), k, filter, true));
    }

    /**
     * The {@code k} images closest to {@code query} among those matching {@code filter} (null:
     * all), best first, without their images: nothing is read or decoded beyond ids, labels and
     * metadata.
     *
     * @throws IllegalArgumentException when the query is empty or {@code k} is out of range
     */
    public List<ImageHit> findHits(String query, int k, Filter filter) {
        return hits(hits(encodeText(query), k, filter, false));
    }

    /**
     * The {@code k} images most like the encoded image {@code exampleBytes} (PNG, JPEG, ...) among
     * those matching {@code filter} (null: all), best first, without their images.
     *
     * @param name what error messages call the example (its file name, "uploaded image")
     * @throws dev.clipsearch.core.ImageDecodeException when the bytes are not a readable image
     */
    public List<ImageHit> findSimilarHits(byte[] exampleBytes, String name, int k, Filter filter) {
        return hits(hits(encodeImage(exampleBytes, name), k, filter, false));
    }

    /**
     * The stored (encoded, undecoded) bytes of the image with this id; empty when the table has no
     * such record or stores no image bytes for it.
     */
    public Optional<byte[]> imageBytes(String id) {
        Objects.requireNonNull(id, "id");
        maybeRefresh();
        return store.get(id).map(ImageRecord::imageBytes);
    }

    /** The query vector of a text; a clear error for an empty query. */
    private float[] encodeText(String query) {
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException(
                    "The query is empty: type what the images should show");
        }
        return textEncoder.encode(query.strip());
    }

    private float[] encodeImage(byte[] bytes, String name) {
        Objects.requireNonNull(bytes, "image bytes");
        return imageEncoder.encode(bytes, name);
    }

    /** Raw hits for a query vector (k checked against {@link SearchRequest#MAX_K}). */
    private List<SearchHit> hits(float[] vector, int k, Filter filter, boolean withImageBytes) {
        SearchRequest request = new SearchRequest(vector, k, filter, withImageBytes);
        maybeRefresh();
        return store.search(request);
    }

    /** The readable label name of a hit: its {@code labelName} metadata, else the label number. */
    private static String labelName(SearchHit hit) {
        String name = hit.metadata().get(Metadata.LABEL_NAME);
        return name != null ? name : Integer.toString(hit.label());
    }

    private static List<ImageHit> hits(List<SearchHit> hits) {
        List<ImageHit> out = new ArrayList<>(hits.size());
        for (SearchHit hit : hits) {
            out.add(new ImageHit(hit.id(), hit.label(), labelName(hit), hit.score()));
        }
        return out;
    }

    private static List<FoundImage> decoded(List<SearchHit> hits) {
        List<FoundImage> out = new ArrayList<>(hits.size());
        for (SearchHit hit : hits) {
            BufferedImage image =
                    hit.imageBytes() == null ? null : ClipImages.decode(hit.imageBytes(), hit.id());
            out.add(new FoundImage(hit.id(), hit.label(), labelName(hit), hit.score(), image));
        }
        return out;
    }

    /** Closes what {@link #open} opened (the store and the model); nothing otherwise. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure =
                            new IllegalStateException(
                                    "Closing " + c + " failed: " + e.getMessage(), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
