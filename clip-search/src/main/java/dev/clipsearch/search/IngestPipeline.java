package dev.clipsearch.search;

import dev.clipsearch.core.ClipImages;
import dev.clipsearch.core.ImageDecodeException;
import dev.clipsearch.core.ImageEncoder;
import dev.clipsearch.core.ImageInfo;
import dev.clipsearch.core.PreprocessedImage;
import dev.clipsearch.dataset.BadRow;
import dev.clipsearch.dataset.DatasetRow;
import dev.clipsearch.dataset.DatasetSplit;
import dev.clipsearch.dataset.RowCursor;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming indexing pipeline: one reader thread reads rows and drops those already stored; a
 * pool of workers decodes and preprocesses images; the calling thread encodes them in batches (one
 * forward pass per batch, overlapped with the workers) and upserts batches into the store. Every
 * queue is bounded, so memory stays the same whatever the dataset's size. Each upsert is one atomic
 * write, so an interrupted run loses at most the batch in flight and a rerun resumes where it
 * stopped.
 */
final class IngestPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);

    private final ImageEncoder encoder;
    private final VectorStore store;
    private final int batchSize;
    private final int writeBatchSize;
    private final int workers;
    private final ProgressListener progress;

    IngestPipeline(
            ImageEncoder encoder,
            VectorStore store,
            int batchSize,
            int writeBatchSize,
            int workers,
            ProgressListener progress) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.store = Objects.requireNonNull(store, "store");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        checkDimension(
                encoder, store, "index into another table, or use the model that indexed this one");
        this.batchSize = batchSize;
        this.writeBatchSize = Math.max(batchSize, writeBatchSize);
        this.workers = workers;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /**
     * Refuses a model whose vectors do not fit the table's.
     *
     * @param remedy what the caller should do instead
     */
    static void checkDimension(ImageEncoder encoder, VectorStore store, String remedy) {
        if (encoder.dimension() != store.dimension()) {
            throw new IllegalArgumentException(
                    "The model makes "
                            + encoder.dimension()
                            + "-d vectors but table '"
                            + store.tableName()
                            + "' holds "
                            + store.dimension()
                            + "-d vectors: "
                            + remedy);
        }
    }

    /** How many ids past the split's end are probed at a time for stale rows. */
    private static final int STALE_PROBE = 512;

    /** Stable record id of a row: {@code <split>-<index, 6 digits at least>}. */
    static String rowId(String split, long index) {
        return String.format("%s-%06d", split, index);
    }

    /**
     * Indexes the rows {@code [0, limit)} of a split.
     *
     * @param source what the records' {@code source} metadata says ("dataset/split")
     * @param labelName the readable name of a label, or null
     * @param limit how many rows at most ({@code <= 0}: all)
     * @param removeMissing whether stored rows of this split that the dataset no longer has are
     *     deleted (else they are only reported)
     * @param sink receives every record stored by this run, after its batch was written; may be
     *     null
     */
    IndexSummary run(
            DatasetSplit split,
            String splitName,
            String source,
            IntFunction<String> labelName,
            long limit,
            boolean removeMissing,
            Consumer<ImageRecord> sink) {
        long rows = limit > 0 ? Math.min(limit, split.size()) : split.size();
        Run run = new Run(splitName, source, labelName, rows, sink);
        run.staleCheck = rows == split.size();
        run.removeMissing = removeMissing;
        return run.execute(split);
    }

    /** The lower-case hex SHA-256 of the bytes, or null for none. */
    static String sha256(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Whether the stored record is what this run would store for the row: same source, label and
     * image bytes (by SHA-256).
     */
    static boolean sameContent(ImageRecord stored, String source, int label, String sha256) {
        return stored != null
                && sha256 != null
                && stored.label() == label
                && source.equals(stored.metadata().get(Metadata.SOURCE))
                && sha256.equals(stored.metadata().get(Metadata.SHA256));
    }

    /** What a worker made of one row. */
    private record Prepared(
            DatasetRow row,
            String sha256,
            PreprocessedImage image,
            int width,
            int height,
            String error) {}

    private static final Prepared END = new Prepared(null, null, null, 0, 0, null);

    private final class Run {
        private final String splitName;
        private final String source;
        private final IntFunction<String> labelName;
        private final long rows;
        private final Consumer<ImageRecord> sink;
        private final BlockingQueue<Future<Prepared>> queue;
        private final Map<String, Long> skipReasons = new LinkedHashMap<>();
        private final List<BadRow> skippedRows = new ArrayList<>();
        private final List<BadRow> readerBadRows = new ArrayList<>();
        private final ExecutorService writer =
                Executors.newSingleThreadExecutor(daemonThreads("clip-writer"));
        private Future<?> inFlight;
        private volatile boolean stopped;
        private long alreadyStored;
        private long indexed;
        private long encoded;
        private long skipped;
        private long readerAlreadyStored;
        private long replaced;
        private long readerReplaced;
        private final Set<String> badIds = new HashSet<>();
        private boolean staleCheck;
        private boolean removeMissing;
        private long stale;

        Run(
                String splitName,
                String source,
                IntFunction<String> labelName,
                long rows,
                Consumer<ImageRecord> sink) {
            this.splitName = splitName;
            this.source = source;
            this.labelName = labelName;
            this.rows = rows;
            this.sink = sink;
            this.queue = new ArrayBlockingQueue<>(Math.max(2 * batchSize, 2 * workers));
        }

        IndexSummary execute(DatasetSplit split) {
            long start = System.nanoTime();
            progress.started(source, rows);
            ExecutorService pool =
                    Executors.newFixedThreadPool(workers, daemonThreads("clip-preprocess"));
            Thread reader = new Thread(() -> read(split, pool), "clip-reader");
            reader.setDaemon(true);
            RuntimeException failure = null;
            try {
                reader.start();
                consume();
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                stopped = true;
                reader.interrupt();
                queue.clear();
                pool.shutdownNow();
                if (failure != null) {
                    finishWriteQuietly();
                }
                writer.shutdown();
                joinQuietly(reader);
            }
            if (failure == null) {
                try {
                    handleStale();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            IndexSummary summary = summary(Duration.ofNanos(System.nanoTime() - start));
            progress.finished(summary);
            if (failure != null) {
                LOG.warn(
                        "Indexing stopped after {} rows: {}",
                        summary.indexed(),
                        failure.getMessage());
                throw failure;
            }
            return summary;
        }

        /**
         * After a failure: lets the write in flight finish (it is atomic), without masking the
         * failure.
         */
        private void finishWriteQuietly() {
            try {
                awaitWrite();
            } catch (RuntimeException e) {
                LOG.warn("A store write failed too: {}", e.getMessage());
            }
        }

        private IndexSummary summary(Duration elapsed) {
            synchronized (this) {
                return new IndexSummary(
                        source,
                        rows,
                        indexed,
                        alreadyStored,
                        skipped,
                        skipReasons,
                        skippedRows,
                        elapsed,
                        replaced,
                        stale,
                        removeMissing && stale > 0);
            }
        }

        /**
         * Reader thread: rows -> (already stored? skip) -> preprocessing tasks, in order, into the
         * bounded queue.
         */
        private void read(DatasetSplit split, ExecutorService pool) {
            int chunkSize = Math.max(256, 4 * batchSize);
            List<DatasetRow> chunk = new ArrayList<>(chunkSize);
            try (RowCursor cursor = split.open(0, this::badRowFromReader)) {
                while (!stopped && cursor.hasNext()) {
                    DatasetRow row = cursor.next();
                    if (row.index() >= rows) {
                        break; // past the limit (the rows before it may have been skipped as bad)
                    }
                    chunk.add(row);
                    if (chunk.size() == chunkSize) {
                        submitChunk(chunk, pool);
                        chunk.clear();
                    }
                }
                submitChunk(chunk, pool);
                put(CompletableFuture.completedFuture(END));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!stopped) {
                    try {
                        put(CompletableFuture.failedFuture(e));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
            } catch (Exception e) { // RowCursor.close()
                if (!stopped) {
                    LOG.warn("Closing the dataset reader failed: {}", e.toString());
                }
            }
        }

        private void badRowFromReader(BadRow bad) {
            if (bad.index() < rows) {
                synchronized (this) {
                    readerBadRows.add(bad);
                }
            }
        }

        private void submitChunk(List<DatasetRow> chunk, ExecutorService pool)
                throws InterruptedException {
            if (chunk.isEmpty()) {
                return;
            }
            List<String> ids = new ArrayList<>(chunk.size());
            for (DatasetRow row : chunk) {
                ids.add(rowId(splitName, row.index()));
            }
            Map<String, ImageRecord> stored = store.getAll(ids);
            long same = 0;
            long changed = 0;
            for (int i = 0; i < chunk.size(); i++) {
                if (stopped) {
                    return;
                }
                DatasetRow row = chunk.get(i);
                String sha = sha256(row.image());
                ImageRecord old = stored.get(ids.get(i));
                if (sameContent(old, source, row.label(), sha)) {
                    same++;
                } else {
                    if (old != null) {
                        changed++;
                    }
                    put(pool.submit(() -> prepare(row, sha)));
                }
            }
            synchronized (this) {
                readerAlreadyStored += same;
                readerReplaced += changed;
            }
        }

        private void put(Future<Prepared> f) throws InterruptedException {
            queue.put(f);
        }

        /** Worker thread: header check, decode and preprocess one image; never throws. */
        private Prepared prepare(DatasetRow row, String sha) {
            String name = row.path() != null ? row.path() : rowId(splitName, row.index());
            try {
                if (row.image() == null || row.image().length == 0) {
                    return new Prepared(row, sha, null, 0, 0, "no image bytes");
                }
                ImageInfo info = ClipImages.probe(row.image(), name);
                PreprocessedImage image = encoder.preprocess(row.image(), name);
                return new Prepared(row, sha, image, info.width(), info.height(), null);
            } catch (ImageDecodeException e) {
                return new Prepared(row, sha, null, 0, 0, "cannot decode image: " + e.reason());
            } catch (RuntimeException e) {
                String reason =
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                return new Prepared(row, sha, null, 0, 0, "cannot preprocess image: " + reason);
            }
        }

        /** Calling thread: takes prepared rows in order, encodes batches, writes batches. */
        private void consume() {
            List<Prepared> batch = new ArrayList<>(batchSize);
            List<ImageRecord> pending = new ArrayList<>(writeBatchSize);
            while (true) {
                Prepared p = take();
                if (p == END) {
                    break;
                }
                if (p.error() != null) {
                    skip(new BadRow(p.row().split(), p.row().index(), p.error()));
                } else {
                    batch.add(p);
                    if (batch.size() == batchSize) {
                        encode(batch, pending);
                        if (pending.size() >= writeBatchSize) {
                            write(pending);
                        }
                    }
                }
                drainReaderNotes();
                report();
            }
            encode(batch, pending);
            write(pending);
            awaitWrite();
            drainReaderNotes();
            report();
        }

        private Prepared take() {
            try {
                return await(queue.take(), "Reading the dataset");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Indexing interrupted", e);
            }
        }

        private void encode(List<Prepared> batch, List<ImageRecord> pending) {
            if (batch.isEmpty()) {
                return;
            }
            List<PreprocessedImage> images = new ArrayList<>(batch.size());
            for (Prepared p : batch) {
                images.add(p.image());
            }
            List<float[]> vectors = encoder.encodePreprocessed(images);
            for (int i = 0; i < batch.size(); i++) {
                pending.add(record(batch.get(i), vectors.get(i)));
            }
            synchronized (this) {
                encoded += batch.size();
            }
            batch.clear();
        }

        private ImageRecord record(Prepared p, float[] vector) {
            DatasetRow row = p.row();
            Map<String, String> metadata = new HashMap<>();
            String name = labelName == null ? null : labelName.apply(row.label());
            if (name != null) {
                metadata.put(Metadata.LABEL_NAME, name);
            }
            metadata.put(Metadata.SOURCE, source);
            metadata.put(Metadata.WIDTH, Integer.toString(p.width()));
            metadata.put(Metadata.HEIGHT, Integer.toString(p.height()));
            if (row.path() != null && !row.path().isEmpty()) {
                metadata.put(Metadata.PATH, row.path());
                metadata.put(Metadata.ORIGIN, source + "/" + row.path());
            } else {
                metadata.put(Metadata.ORIGIN, source + "#" + row.index());
            }
            metadata.put(Metadata.SHA256, p.sha256());
            return new ImageRecord(
                    rowId(splitName, row.index()), row.label(), row.image(), vector, metadata);
        }

        /**
         * Hands a full write batch to the writer thread, so that the next forward pass overlaps the
         * store write; at most one write is in flight (memory stays bounded) and its failure
         * surfaces here.
         */
        private void write(List<ImageRecord> pending) {
            if (pending.isEmpty()) {
                return;
            }
            awaitWrite();
            List<ImageRecord> records = List.copyOf(pending);
            pending.clear();
            inFlight =
                    writer.submit(
                            () -> {
                                store.upsert(records);
                                synchronized (this) {
                                    indexed += records.size();
                                }
                                if (sink != null) {
                                    records.forEach(sink);
                                }
                            });
        }

        /** Waits for the write in flight, if any; rethrows its failure. */
        private void awaitWrite() {
            Future<?> f = inFlight;
            inFlight = null;
            if (f != null) {
                await(f, "Writing to the store");
            }
        }

        private void skip(BadRow bad) {
            synchronized (this) {
                skipped++;
                badIds.add(rowId(splitName, bad.index()));
                String reason = bad.reason();
                // group similar reasons: keep the text before a file-specific detail
                String key = reason.length() > 120 ? reason.substring(0, 120) + "..." : reason;
                skipReasons.merge(key, 1L, Long::sum);
                if (skippedRows.size() < IndexSummary.MAX_LISTED_BAD_ROWS) {
                    skippedRows.add(bad);
                }
            }
            LOG.debug("Skipped row {} of {}: {}", bad.index(), bad.split(), bad.reason());
        }

        private void drainReaderNotes() {
            List<BadRow> bad;
            synchronized (this) {
                alreadyStored += readerAlreadyStored;
                readerAlreadyStored = 0;
                replaced += readerReplaced;
                readerReplaced = 0;
                bad = new ArrayList<>(readerBadRows);
                readerBadRows.clear();
            }
            bad.forEach(this::skip);
        }

        /**
         * After a complete run: finds the stored rows of this split that the dataset no longer has
         * (ids past its last row, rows now unreadable) and deletes them when asked.
         */
        private void handleStale() {
            if (!staleCheck) {
                return;
            }
            Set<String> ids = new HashSet<>(store.existingIds(badIds));
            for (long start = rows; ; start += STALE_PROBE) {
                List<String> probe = new ArrayList<>(STALE_PROBE);
                for (long i = start; i < start + STALE_PROBE; i++) {
                    probe.add(rowId(splitName, i));
                }
                Set<String> found = store.existingIds(probe);
                if (found.isEmpty()) {
                    break;
                }
                ids.addAll(found);
            }
            stale = ids.size();
            if (ids.isEmpty()) {
                return;
            }
            if (removeMissing) {
                store.delete(ids);
                LOG.info("Removed {} stored rows that {} no longer has", ids.size(), source);
            } else {
                LOG.warn(
                        "{} stored rows of {} are no longer in the dataset (for example {}); remove"
                                + " them with ImageIndexer.Options.removeMissing(true)",
                        ids.size(),
                        source,
                        ids.iterator().next());
            }
        }

        /**
         * Tells the listener, counting rows as soon as they are encoded (per forward pass, not per
         * store write), and only when a count moved.
         */
        private void report() {
            long done;
            long enc;
            long sk;
            synchronized (this) {
                enc = encoded;
                sk = skipped;
                done = alreadyStored + enc + sk;
            }
            if (done != reportedDone) {
                reportedDone = done;
                progress.progress(done, enc, sk);
            }
        }

        private long reportedDone = -1;
    }

    /**
     * The future's value; its failure rethrown as is when unchecked, else wrapped naming {@code
     * what} failed.
     */
    private static <T> T await(Future<T> f, String what) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Indexing interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(what + " failed: " + cause, cause);
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
