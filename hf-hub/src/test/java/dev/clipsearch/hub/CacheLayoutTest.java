package dev.clipsearch.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheLayoutTest {

    static final HubRepo REPO = HubRepo.model("org/name");
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir Path cache;

    @Test
    void pathsFollowHuggingfaceHubLayout() {
        CacheLayout layout = new CacheLayout(cache);
        assertThat(layout.blob(REPO, "abc"))
                .isEqualTo(cache.resolve("models--org--name/blobs/abc"));
        assertThat(layout.incomplete(REPO, "abc"))
                .isEqualTo(cache.resolve("models--org--name/blobs/abc.incomplete"));
        assertThat(layout.lock(REPO, "abc"))
                .isEqualTo(cache.resolve(".locks/models--org--name/abc.lock"));
        assertThat(layout.pointer(REPO, COMMIT, "a/b.txt"))
                .isEqualTo(cache.resolve("models--org--name/snapshots/" + COMMIT + "/a/b.txt"));
        assertThat(layout.ref(REPO, "refs/pr/1"))
                .isEqualTo(cache.resolve("models--org--name/refs/refs/pr/1"));
        assertThat(layout.noExist(REPO, COMMIT, "x.json"))
                .isEqualTo(cache.resolve("models--org--name/.no_exist/" + COMMIT + "/x.json"));
        assertThatThrownBy(() -> layout.blob(REPO, "../evil"))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("ETag");
    }

    @Test
    void refsAreWrittenWithoutNewlineAndReadBack() throws IOException {
        CacheLayout layout = new CacheLayout(cache);
        HubRepo v1 = REPO.at("v1.0");
        assertThat(layout.cachedCommit(v1)).isEmpty();
        layout.writeRef(v1, COMMIT);
        assertThat(Files.readString(cache.resolve("models--org--name/refs/v1.0")))
                .isEqualTo(COMMIT);
        assertThat(layout.cachedCommit(v1)).contains(COMMIT);
        Files.writeString(cache.resolve("models--org--name/refs/v1.0"), COMMIT + "\n"); // tolerated
        assertThat(layout.cachedCommit(v1)).contains(COMMIT);
        assertThat(layout.cachedCommit(REPO.at(COMMIT))).contains(COMMIT);
    }

    @Test
    void copiesWhenSymlinksAreNotAvailable() throws IOException {
        CacheLayout layout = new CacheLayout(cache, false);
        Path blob =
                Files.createDirectories(cache.resolve("models--org--name/blobs")).resolve("abc");
        Files.writeString(blob, "content");
        Path pointer = layout.pointer(REPO, COMMIT, "dir/file.txt");
        layout.link(blob, pointer);
        assertThat(Files.isSymbolicLink(pointer)).isFalse();
        assertThat(pointer).hasContent("content");
        assertThat(CacheLayout.isPresent(pointer)).isTrue();
        try (var files = Files.list(pointer.getParent())) {
            assertThat(files).hasSize(1); // no temporary file left
        }
    }

    @Test
    void replacesAStaleOrDanglingPointer() throws IOException {
        CacheLayout layout = new CacheLayout(cache);
        Path blobs = Files.createDirectories(cache.resolve("models--org--name/blobs"));
        Path pointer = layout.pointer(REPO, COMMIT, "f.txt");
        Files.createDirectories(pointer.getParent());
        Files.createSymbolicLink(pointer, Path.of("../../blobs/gone"));
        assertThat(CacheLayout.isPresent(pointer)).isFalse();
        Files.writeString(blobs.resolve("new"), "new");
        layout.link(blobs.resolve("new"), pointer);
        assertThat(Files.readSymbolicLink(pointer)).isEqualTo(Path.of("../../blobs/new"));
        assertThat(pointer).hasContent("new");
    }
}
