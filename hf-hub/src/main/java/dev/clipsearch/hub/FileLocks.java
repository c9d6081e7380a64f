package dev.clipsearch.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive lock on a {@code .lock} file, between threads of this JVM (a {@link ReentrantLock} per
 * path, since {@link FileChannel#lock()} is per process) and between processes (an OS file lock on
 * the file).
 */
final class FileLocks {

    private static final Logger LOG = LoggerFactory.getLogger(FileLocks.class);
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS =
            new ConcurrentHashMap<>();

    private FileLocks() {}

    /** A held lock; closing releases it. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock local;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(ReentrantLock local, FileChannel channel, FileLock lock) {
            this.local = local;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException e) {
                LOG.debug("Releasing file lock failed: {}", e.toString());
            } finally {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("Closing lock file failed: {}", e.toString());
                }
                local.unlock();
            }
        }
    }

    /**
     * Blocks until this thread holds the lock on {@code lockFile} (created with its folders if
     * needed).
     */
    static Held acquire(Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        if (!local.tryLock()) {
            LOG.info("Waiting for another thread downloading the same file (lock {})", key);
            local.lock();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                LOG.info("Waiting for another process downloading the same file (lock {})", key);
                lock = channel.lock();
            }
            return new Held(local, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            local.unlock();
            throw e;
        }
    }
}
