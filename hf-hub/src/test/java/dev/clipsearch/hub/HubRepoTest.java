package dev.clipsearch.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HubRepoTest {

    @Test
    void defaultsAndRevisions() {
        HubRepo repo = HubRepo.model("openai/clip-vit-base-patch32");
        assertThat(repo.type()).isEqualTo(RepoType.MODEL);
        assertThat(repo.revision()).isEqualTo("main");
        assertThat(repo.at("refs/convert/parquet").revision()).isEqualTo("refs/convert/parquet");
        assertThat(new HubRepo(RepoType.DATASET, "gpt2", null).revision()).isEqualTo("main");
        assertThat(repo.isCommitPinned()).isFalse();
        assertThat(repo.at("0123456789abcdef0123456789abcdef01234567").isCommitPinned()).isTrue();
        assertThat(CacheLayout.repoFolderName(HubRepo.dataset("zh-plus/tiny-imagenet")))
                .isEqualTo("datasets--zh-plus--tiny-imagenet");
        assertThat(CacheLayout.repoFolderName(HubRepo.model("gpt2"))).isEqualTo("models--gpt2");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "a/b/c",
                "org/na me",
                "org//name",
                "/name",
                "org/",
                "org--x/name",
                "a/b..c",
                "org/name.git",
                "-org/name",
                "org/name-",
                "orgé/name"
            })
    void rejectsInvalidIds(String id) {
        assertThatThrownBy(() -> HubRepo.model(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a//b", "../main", "refs/..", "a\\b"})
    void rejectsInvalidRevisions(String revision) {
        assertThatThrownBy(() -> HubRepo.model("org/name").at(revision))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("evision");
    }

    @Test
    void rejectsFilePathsLeavingTheSnapshot() {
        HfHub hub = HfHub.builder().cacheDir(Path.of("/nonexistent-cache")).offline(true).build();
        for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", "", "a//b", "a\\b"}) {
            assertThatThrownBy(() -> hub.cached(HubRepo.model("org/name"), bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("path");
        }
    }

    @Test
    void environmentFollowsHuggingfaceHubConstants() {
        HfHub.Builder b = HfHub.Builder.fromEnvironment(Map.of(), "/home/u");
        HfHub hub = b.build();
        assertThat(hub.cacheDir()).isEqualTo(Path.of("/home/u/.cache/huggingface/hub"));
        assertThat(hub.endpoint()).isEqualTo("https://huggingface.co");
        assertThat(hub.offline()).isFalse();

        assertThat(
                        HfHub.Builder.fromEnvironment(Map.of("HF_HOME", "~/hf"), "/home/u")
                                .build()
                                .cacheDir())
                .isEqualTo(Path.of("/home/u/hf/hub"));
        assertThat(
                        HfHub.Builder.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), "/home/u")
                                .build()
                                .cacheDir())
                .isEqualTo(Path.of("/xdg/huggingface/hub"));
        HfHub env =
                HfHub.Builder.fromEnvironment(
                                Map.of(
                                        "HF_HUB_CACHE",
                                        "/c",
                                        "HF_HOME",
                                        "/h",
                                        "HF_ENDPOINT",
                                        "https://mirror.example/",
                                        "HF_HUB_OFFLINE",
                                        "1"),
                                "/home/u")
                        .build();
        assertThat(env.cacheDir()).isEqualTo(Path.of("/c"));
        assertThat(env.endpoint()).isEqualTo("https://mirror.example");
        assertThat(env.offline()).isTrue();
        assertThat(HubEnvironment.isTrue("yes")).isTrue();
        assertThat(HubEnvironment.isTrue("0")).isFalse();
        assertThat(HubEnvironment.isTrue(null)).isFalse();
    }

    @Test
    void urlsAndEtagsLikeHuggingfaceHub() {
        HfHub hub =
                HfHub.builder().endpoint("https://hub.example").cacheDir(Path.of("/tmp/x")).build();
        assertThat(
                        hub.resolveUrl(
                                HubRepo.dataset("org/ds").at("refs/convert/parquet"),
                                "a b/c+d.parquet"))
                .hasToString(
                        "https://hub.example/datasets/org/ds/resolve/refs%2Fconvert%2Fparquet/a%20b/c%2Bd.parquet");
        assertThat(hub.resolveUrl(HubRepo.model("gpt2"), "config.json"))
                .hasToString("https://hub.example/gpt2/resolve/main/config.json");
        assertThat(HubHttp.normalizeEtag("W/\"abc\"")).isEqualTo("abc");
        assertThat(HubHttp.normalizeEtag("\"abc\"")).isEqualTo("abc");
        assertThat(HubHttp.normalizeEtag("abc")).isEqualTo("abc");
        assertThat(HttpTransport.host(java.net.URI.create("https://HuggingFace.co:443/x")))
                .isEqualTo("huggingface.co");
        assertThat(HfHub.builder().endpoint("https://huggingface.co").build().endpoint())
                .isEqualTo("https://huggingface.co");
    }

    @Test
    void diskFullMessageIsClear() {
        HubException e =
                HubErrors.localIo(
                        new java.io.IOException("No space left on device"),
                        HubRepo.model("org/name"),
                        "model.safetensors",
                        Path.of("/cache"));
        assertThat(e)
                .hasMessageContaining("No space left")
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("/cache")
                .hasMessageContaining("HF_HUB_CACHE");
    }
}
