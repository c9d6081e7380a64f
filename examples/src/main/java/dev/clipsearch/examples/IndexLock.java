package dev.clipsearch.examples;

import dev.clipsearch.store.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps two indexing runs from writing the same local Lance table at once: each would miss the rows
 * the other is adding and store them twice. An OS file lock beside the table, released by the OS
 * when the process dies (even by kill -9), so a crashed run never blocks the next one. Other stores
 * (in-memory, Qdrant) need none.
 */
final class IndexLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private IndexLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code table} in {@code storeUri}; no lock (null) for stores other than
     * {@code lance:}.
     *
     * @throws IllegalStateException when another run holds it
     */
    static IndexLock acquire(String storeUri, String table) {
        StoreLocation location = StoreLocation.parse(storeUri);
        if (!location.scheme().equals("lance") || location.target().isEmpty()) {
            return null;
        }
        Path dir = Path.of(location.target());
        Path file = dir.resolve("." + table + ".index.lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                throw new IllegalStateException(
                        "Another indexing run is writing table '"
                                + table
                                + "' in "
                                + dir
                                + "; wait for it to finish (or stop it), then run again");
            }
            return new IndexLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("Cannot lock " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close releases it too
        }
        closeQuietly(channel);
    }
}
