package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clipsearch.core.TestModels;
import dev.clipsearch.dataset.TestDatasets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code clip-search.jar} (run by Failsafe after {@code package}): it carries the
 * natives of the one platform it was built for, and, built for this machine's platform, it runs:
 * {@code --help}, {@code index} of Tiny ImageNet rows with a tiny CLIP into a Lance store, {@code
 * search}.
 */
class RunnableJarIT {

    private static final Pattern NATIVE =
            Pattern.compile(".*\\.(so|dylib|dll|jnilib)$|^libduckdb_java\\.so_.*");

    @TempDir static Path tmp;

    private static Path jar;
    private static List<String> natives;

    @BeforeAll
    static void listNatives() throws IOException {
        jar = Path.of(System.getProperty("clipsearch.jar"));
        natives = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream()
                    .map(ZipEntry::getName)
                    .filter(name -> NATIVE.matcher(name).matches())
                    .forEach(natives::add);
        }
    }

    @Test
    void carriesTheNativesOfOnePlatformOnly() {
        String djl = System.getProperty("natives.djl");
        String flavor = System.getProperty("natives.torch.flavor");
        assertThat(startingWith("nativelib/"))
                .singleElement()
                .asString()
                .startsWith("nativelib/" + System.getProperty("natives.lance") + "/");
        assertThat(startingWith("libduckdb_java.so_"))
                .containsExactly("libduckdb_java.so_" + System.getProperty("natives.duckdb"));
        assertThat(startingWith("native/lib/"))
                .isNotEmpty()
                .allMatch(name -> name.startsWith("native/lib/" + djl + "/"));
        assertThat(startingWith("jnilib/"))
                .singleElement()
                .asString()
                .startsWith("jnilib/" + djl + "/" + flavor + "/");
        assertThat(startingWith("pytorch/"))
                .isNotEmpty()
                .allMatch(name -> name.startsWith("pytorch/cpu/" + djl + "/"));
        assertThat(startingWith("arrow_dataset_jni/"))
                .allMatch(
                        name ->
                                name.equals(
                                        "arrow_dataset_jni/"
                                                + System.getProperty("natives.arrow.dataset")));
        assertThat(natives).noneMatch(name -> name.contains("netty_tcnative"));
    }

    @Test
    void indexesAndSearchesWithTheSlimmedJar() throws Exception {
        boolean thisPlatform =
                "linux-x86_64".equals(System.getProperty("natives.djl"))
                        && System.getProperty("os.name").startsWith("Linux")
                        && System.getProperty("os.arch").equals("amd64");
        Assumptions.assumeTrue(thisPlatform, "the jar was built for another platform");
        Path model = TestModels.tinyClipTinyImagenet(tmp.resolve("model"));
        Path dataset = TestDatasets.tinyImagenetValid(tmp.resolve("data"));
        String store = "lance:" + tmp.resolve("db");

        assertThat(run("help", "--help")).contains("Usage: clip-search");
        assertThat(
                        run(
                                "index",
                                "index",
                                "--model",
                                model.toString(),
                                "--dataset",
                                dataset.toString(),
                                "--split",
                                "valid",
                                "--store",
                                store,
                                "--limit",
                                "200"))
                .contains("Indexed 200 of 200 rows");
        assertThat(
                        run(
                                "search",
                                "search",
                                "a goldfish",
                                "-k",
                                "3",
                                "--model",
                                model.toString(),
                                "--store",
                                store,
                                "--json"))
                .contains("[{\"id\":\"valid-000068\",\"label\":0,\"labelName\":\"goldfish\"");
    }

    private static List<String> startingWith(String prefix) {
        return natives.stream().filter(name -> name.startsWith(prefix)).toList();
    }

    /** Runs {@code java -jar clip-search.jar args}; returns stdout and stderr after exit 0. */
    private static String run(String name, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx1g",
                                "-jar",
                                jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.environment().put("HF_HOME", tmp.resolve("hf-home").toString());
        Path out = tmp.resolve(name + ".out");
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        Process process = pb.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(name + " finished").isTrue();
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(name + " exit status; output:\n" + output).isZero();
        return output;
    }
}
