package dev.clipsearch.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one blob: into {@code blobs/<etag>.incomplete}, resuming with a Range request after a
 * broken connection, then checks the size and (for LFS files) the sha256 before moving it into
 * place atomically. The caller holds the blob's lock file.
 */
final class BlobDownloader {

    private static final Logger LOG = LoggerFactory.getLogger(BlobDownloader.class);
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final Pattern CONTENT_RANGE =
            Pattern.compile("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$");
    private static final int BUFFER = 1 << 16;

    private final CacheLayout layout;
    private final HubHttp hubHttp;
    private final HubRetries retries;

    BlobDownloader(CacheLayout layout, HubHttp hubHttp, HubRetries retries) {
        this.layout = layout;
        this.hubHttp = hubHttp;
        this.retries = retries;
    }

    /** Whether an ETag is a sha256 (the ETag of an LFS file). */
    static boolean isSha256(String etag) {
        return etag != null && SHA256.matcher(etag).matches();
    }

    void download(
            HubRepo repo, String path, HubHttp.FileMetadata meta, Path blob, DownloadListener l)
            throws IOException {
        Path incomplete = layout.incomplete(repo, meta.etag());
        Files.createDirectories(blob.getParent());
        LOG.info(
                "Downloading {} ({})",
                HubErrors.what(repo, path),
                meta.size() >= 0 ? meta.size() + " bytes" : "size unknown");
        warnIfLowOnSpace(blob.getParent(), meta.size() - localSize(incomplete));
        retries.run(
                repo,
                path,
                () -> {
                    transferOnce(repo, path, meta, incomplete, l);
                    return null;
                });
        long actual = Files.size(incomplete);
        if (meta.size() >= 0 && actual != meta.size()) {
            Files.deleteIfExists(incomplete);
            throw new HubIntegrityException(
                    "Downloaded "
                            + HubErrors.what(repo, path)
                            + " has "
                            + actual
                            + " bytes but the Hub announced "
                            + meta.size()
                            + "; the partial file was deleted, try again.");
        }
        if (isSha256(meta.etag())) {
            String sha = sha256(incomplete);
            if (!sha.equals(meta.etag())) {
                Files.deleteIfExists(incomplete);
                throw new HubIntegrityException(
                        "Downloaded "
                                + HubErrors.what(repo, path)
                                + " is corrupt: sha256 "
                                + sha
                                + " but expected "
                                + meta.etag()
                                + "; the bad file was deleted, try again.");
            }
        }
        CacheLayout.moveAtomically(incomplete, blob);
        l.onProgress(repo, path, actual, actual);
    }

    /**
     * Warns (like huggingface_hub) when the disk seems too small; the write itself reports a full
     * disk.
     */
    private static void warnIfLowOnSpace(Path dir, long needed) {
        if (needed <= 0) {
            return;
        }
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < needed) {
                LOG.warn(
                        "Not enough free disk space for the download: {} bytes needed in {} but only {} free",
                        needed,
                        dir,
                        free);
            }
        } catch (IOException e) {
            LOG.debug("Cannot check free space in {}: {}", dir, e.toString());
        }
    }

    /**
     * One GET of the (rest of the) body into the .incomplete file; resumes with a Range request.
     */
    private void transferOnce(
            HubRepo repo,
            String path,
            HubHttp.FileMetadata meta,
            Path incomplete,
            DownloadListener l)
            throws HubErrors.Retryable {
        long have = localSize(incomplete);
        long expected = meta.size();
        if (expected >= 0 && have > expected) {
            deleteLocal(incomplete);
            have = 0;
        }
        if (expected >= 0 && have == expected && have > 0) {
            return;
        }
        if (have > 0) {
            LOG.info("Resuming download of {} at byte {}", HubErrors.what(repo, path), have);
        }
        HttpTransport.Response r;
        try {
            r =
                    hubHttp.openFollowingRedirects(
                            meta.location(),
                            have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of());
        } catch (IOException e) {
            throw HubErrors.Retryable.network(e, false);
        }
        try (r) {
            if (r.status == 416) {
                deleteLocal(incomplete);
                throw new HubErrors.Retryable(
                        "range not satisfiable; restarting the download", null, 0, false);
            }
            HubErrors.check(r, repo, path, hubHttp.authorized(r.uri));
            boolean append = false;
            if (r.status == 206) {
                Matcher m = CONTENT_RANGE.matcher(String.valueOf(r.header("Content-Range")).trim());
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    deleteLocal(incomplete);
                    throw new HubErrors.Retryable(
                            "unexpected Content-Range "
                                    + r.header("Content-Range")
                                    + "; restarting the download",
                            null,
                            0,
                            false);
                }
                append = true;
            } else if (have > 0) {
                LOG.info(
                        "Server ignored the Range request for {}; downloading from the start",
                        HubErrors.what(repo, path));
                have = 0;
            }
            String encoding = r.header("Content-Encoding");
            boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
            if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity")) {
                throw new HubException(
                        "The server sent "
                                + HubErrors.what(repo, path)
                                + " with unsupported"
                                + " Content-Encoding '"
                                + encoding
                                + "'");
            }
            long bodyLength = gzip ? -1 : r.longHeader("Content-Length");
            long total = expected >= 0 ? expected : (bodyLength >= 0 ? have + bodyLength : -1);
            long received = 0;
            l.onProgress(repo, path, have, total);
            try (InputStream in = gzip ? new GZIPInputStream(r.body(), BUFFER) : r.body();
                    FileChannel out = openIncomplete(incomplete, append)) {
                byte[] buf = new byte[BUFFER];
                while (true) {
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (IOException e) {
                        r.abort();
                        throw HubErrors.Retryable.network(e, received > 0);
                    }
                    if (n < 0) {
                        break;
                    }
                    writeFully(out, buf, n);
                    received += n;
                    l.onProgress(repo, path, have + received, total);
                }
            } catch (IOException e) {
                // from r.body() (connection) or closing: network side
                throw HubErrors.Retryable.network(e, received > 0);
            }
            long wanted = bodyLength >= 0 ? bodyLength : (expected >= 0 ? expected - have : -1);
            if (wanted >= 0 && received < wanted) {
                r.abort();
                throw new HubErrors.Retryable(
                        "connection closed after " + received + " of " + wanted + " bytes",
                        null,
                        0,
                        received > 0);
            }
        }
    }

    private static FileChannel openIncomplete(Path incomplete, boolean append) {
        try {
            return append
                    ? FileChannel.open(
                            incomplete,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.APPEND)
                    : FileChannel.open(
                            incomplete,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new HubErrors.LocalIo(e);
        }
    }

    private static void writeFully(FileChannel out, byte[] buf, int n) {
        try {
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
        } catch (IOException e) {
            throw new HubErrors.LocalIo(e);
        }
    }

    private static long localSize(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            throw new HubErrors.LocalIo(e);
        }
    }

    private static void deleteLocal(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new HubErrors.LocalIo(e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
