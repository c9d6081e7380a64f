package dev.clipsearch.hub;

/**
 * Receives download progress. Called from the downloading thread; implementations must be quick and
 * thread-safe when one listener is shared by concurrent downloads.
 */
@FunctionalInterface
public interface DownloadListener {

    /**
     * Progress of one file.
     *
     * @param repo repository the file comes from
     * @param path path of the file inside the repository
     * @param bytesDone bytes present so far (a resumed download starts at the partial size)
     * @param totalBytes expected size, or -1 when unknown
     */
    void onProgress(HubRepo repo, String path, long bytesDone, long totalBytes);

    /** A listener that ignores all progress. */
    static DownloadListener none() {
        return (repo, path, done, total) -> {};
    }
}
