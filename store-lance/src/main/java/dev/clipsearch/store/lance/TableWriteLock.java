package dev.clipsearch.store.lance;

import dev.clipsearch.store.StoreException;
import dev.clipsearch.store.StoreLockedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-writer rule of a Lance table: an exclusive OS file lock on {@code .<table>.write.lock}
 * beside the table directory. Two writers of one table would each miss the rows the other is adding
 * (merge-insert matches against the version it started from) and store them twice, and each would
 * take the other's uncommitted files for crash leftovers. The OS releases the lock when the process
 * dies (even by kill -9), so a crashed writer never blocks the next one.
 *
 * <p>The lock is process- and thread-safe: a second store of the same table in this JVM is refused
 * too (the JVM's file-lock table throws {@link OverlappingFileLockException}). The holder writes
 * who it is (pid, thread, time) into the file, so the refused writer can name it.
 */
final class TableWriteLock implements AutoCloseable {

    /** Who holds which lock file in this JVM (canonical path to holder description). */
    private static final Map<Path, String> HELD_HERE = new ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private TableWriteLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of table {@code table} in database directory {@code db}. */
    static Path lockFile(Path db, String table) {
        return db.resolve("." + table + ".write.lock");
    }

    /**
     * Takes the write lock of {@code table} at once, or fails.
     *
     * @throws StoreLockedException when another writer (in this JVM or another process) holds it
     * @throws StoreException when the lock file cannot be created
     */
    static TableWriteLock acquire(Path db, String table, Path tablePath) {
        Path file = lockFile(db, table).toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(db);
            channel =
                    FileChannel.open(
                            file,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
            FileLock lock;
            String holder;
            try {
                lock = channel.tryLock();
                holder = null;
            } catch (OverlappingFileLockException e) {
                lock = null;
                holder = HELD_HERE.getOrDefault(file, "another store in this JVM");
            }
            if (lock == null) {
                if (holder == null) {
                    holder = readHolder(file);
                }
                throw new StoreLockedException(
                        "Lance table '"
                                + table
                                + "' at "
                                + tablePath
                                + " is being written by "
                                + holder
                                + "; only one writer per table is allowed. Close that store (or"
                                + " wait for the process to finish), or write through it; readers"
                                + " need no lock. Lock file: "
                                + file);
            }
            String me =
                    "pid "
                            + ProcessHandle.current().pid()
                            + " (thread '"
                            + Thread.currentThread().getName()
                            + "', since "
                            + Instant.now()
                            + ")";
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            HELD_HERE.put(file, "this JVM, " + me);
            return new TableWriteLock(file, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException(
                    "Cannot take the write lock of Lance table '"
                            + table
                            + "' ("
                            + file
                            + "): "
                            + e
                            + ". The database directory must be writable.",
                    e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static String readHolder(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "another process" : "another process, " + text;
        } catch (IOException | RuntimeException e) {
            return "another process";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    /** Releases the lock; the file stays (deleting it could race with the next writer). */
    @Override
    public void close() {
        HELD_HERE.remove(file);
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }
}
