package dev.clipsearch.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trip with Python's huggingface_hub against the local server, in both directions. Skipped
 * when the interpreter ($CLIPSEARCH_TEST_PYTHON, default python3) has no huggingface_hub.
 */
class PythonInteropTest {

    /**
     * Interpreter to use: $CLIPSEARCH_TEST_PYTHON (e.g. a venv with huggingface_hub) or python3.
     */
    private static final String PYTHON =
            System.getenv().getOrDefault("CLIPSEARCH_TEST_PYTHON", "python3");

    @TempDir Path cache;

    private static String python(Path cache, String endpoint, String code)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-c", code);
        pb.environment().put("HF_ENDPOINT", endpoint);
        pb.environment().put("HF_HUB_CACHE", cache.toString());
        pb.environment().put("HF_HUB_DISABLE_TELEMETRY", "1");
        pb.environment().remove("HF_TOKEN");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("python3 failed: " + out);
        }
        return out.trim();
    }

    private static boolean huggingfaceHubInstalled() {
        try {
            Process p =
                    new ProcessBuilder(PYTHON, "-c", "import huggingface_hub")
                            .redirectErrorStream(true)
                            .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void pythonAndJavaShareTheCache() throws Exception {
        assumeTrue(
                huggingfaceHubInstalled(),
                "NOT TESTED: sharing the cache with Python's huggingface_hub ("
                        + PYTHON
                        + " has no huggingface_hub). Run it with a Python that has it:"
                        + " CLIPSEARCH_TEST_PYTHON=/path/to/venv/bin/python ./mvnw -B -pl hf-hub"
                        + " verify -Dtest=PythonInteropTest");
        HubRepo repo = HubRepo.model("acme/interop");
        try (LocalHubServer server = LocalHubServer.start()) {
            server.addFile(repo, "config.json", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
            server.addFile(repo, "model.safetensors", new byte[] {1, 2, 3});
            HfHub hub = HfHub.builder().endpoint(server.endpoint()).cacheDir(cache).build();

            // Java downloads, Python finds it without a request
            Path javaFile = hub.download(repo, "config.json");
            server.clearRequests();
            String found =
                    python(
                            cache,
                            server.endpoint(),
                            "from huggingface_hub import try_to_load_from_cache;"
                                    + "print(try_to_load_from_cache('acme/interop', 'config.json'))");
            assertThat(found).isEqualTo(javaFile.toString());

            // Python downloads, Java uses it without a GET
            String pyPath =
                    python(
                            cache,
                            server.endpoint(),
                            "from huggingface_hub import hf_hub_download;"
                                    + "print(hf_hub_download('acme/interop', 'model.safetensors'))");
            server.clearRequests();
            Path javaView = hub.download(repo, "model.safetensors");
            assertThat(javaView.toString()).isEqualTo(pyPath);
            assertThat(Files.readAllBytes(javaView)).containsExactly(1, 2, 3);
            List<String> gets =
                    server.requests().stream().filter(r -> r.startsWith("GET")).toList();
            assertThat(gets).isEmpty();

            // a dataset at a revision with slashes, downloaded by Java, is found offline by Python
            HubRepo parquet = HubRepo.dataset("acme/data").at("refs/convert/parquet");
            server.addFile(parquet, "default/train/0000.parquet", new byte[] {4, 5});
            Path javaParquet = hub.download(parquet, "default/train/0000.parquet");
            String pyParquet =
                    python(
                            cache,
                            server.endpoint(),
                            "import os; os.environ['HF_HUB_OFFLINE']='1';"
                                    + "from huggingface_hub import hf_hub_download;"
                                    + "print(hf_hub_download('acme/data', 'default/train/0000.parquet', repo_type='dataset',"
                                    + " revision='refs/convert/parquet'))");
            assertThat(pyParquet).isEqualTo(javaParquet.toString());

            // Python's tree listing works against the local server with pagination
            server.setPageSize(1);
            String listed =
                    python(
                            cache,
                            server.endpoint(),
                            "from huggingface_hub import HfApi;"
                                    + "print(sorted(f.path for f in HfApi().list_repo_tree('acme/interop', recursive=True)))");
            assertThat(listed).isEqualTo("['config.json', 'model.safetensors']");
        }
    }
}
