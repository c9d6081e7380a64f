package dev.clipsearch.hub;

/**
 * A file in a Hub repository, as listed by {@link HfHub#listFiles(HubRepo, String)}.
 *
 * @param path path inside the repository, '/'-separated
 * @param size size in bytes (of the real content, also for LFS files)
 * @param blobId git blob id (sha1) of the file; for LFS files the id of the pointer file; may be
 *     null for listings built from the local cache
 * @param lfsSha256 sha256 of the content for LFS files, null for files stored in git
 */
public record HubFile(String path, long size, String blobId, String lfsSha256) {

    /** Whether the file is stored in Git LFS (large file). */
    public boolean isLfs() {
        return lfsSha256 != null;
    }
}
