package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clipsearch.hub.HfHub;
import dev.clipsearch.hub.HubRepo;
import dev.clipsearch.hub.LocalHubServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fromPretrained against a local Hub server: first call downloads, second is served from the cache.
 */
class ClipModelsHubTest {

    @Test
    void downloadsOnceThenLoadsFromCache(@TempDir Path temp) throws Exception {
        Path local = TestModels.tinyClip(temp.resolve("local"));
        HubRepo repo = HubRepo.model("clipsearch-test/tiny-clip");
        try (LocalHubServer server = LocalHubServer.start()) {
            server.addDirectory(repo, local);
            HfHub hub =
                    HfHub.builder()
                            .endpoint(server.endpoint())
                            .cacheDir(temp.resolve("cache"))
                            .build();
            float[] expected;
            try (ClipModel direct = ClipModels.load(local)) {
                expected = direct.textEncoder().encode("a photo of a cat");
            }
            try (ClipModel model = ClipModels.fromPretrained(repo.id(), hub)) {
                assertThat(server.requests()).isNotEmpty();
                assertThat(
                                Vectors.maxAbsDiff(
                                        model.textEncoder().encode("a photo of a cat"), expected))
                        .isLessThan(1e-6);
            }
            server.clearRequests();
            try (ClipModel again = ClipModels.fromPretrained(repo.id(), hub)) {
                assertThat(again.dimension()).isEqualTo(512);
            }
            assertThat(server.requests()).as("second load is served from the cache").isEmpty();
        }
    }

    @Test
    void existingDirectoryIsLoadedWithoutTheHub(@TempDir Path temp) throws Exception {
        Path local = TestModels.tinyClip(temp);
        try (ClipModel model = ClipModels.fromPretrained(local.toString())) {
            assertThat(model.dimension()).isEqualTo(512);
        }
        try (LocalHubServer server = LocalHubServer.start()) {
            HfHub hub =
                    HfHub.builder()
                            .endpoint(server.endpoint())
                            .cacheDir(temp.resolve("cache"))
                            .build();
            try (ClipModel model = ClipModels.fromPretrained(local.toString(), hub)) {
                assertThat(model.dimension()).isEqualTo(512);
            }
            assertThatThrownBy(
                            () ->
                                    ClipModels.fromPretrained(
                                            temp.resolve("missing").toString(), hub))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("Model directory not found")
                    .hasMessageContaining("missing");
            assertThat(server.requests())
                    .as("a directory (or a path) never goes to the Hub")
                    .isEmpty();
        }
    }
}
