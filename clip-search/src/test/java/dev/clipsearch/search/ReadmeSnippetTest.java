package dev.clipsearch.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's library snippet is the consumer check's QuickStart.java, character for character:
 * the invoker build (src/it/readme-snippet) compiles and runs that file, so the README shows code
 * that is known to compile and work with the dependencies it lists.
 */
class ReadmeSnippetTest {

    @Test
    void readmeSnippetIsTheCheckedConsumerCode() throws IOException {
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        String checked =
                Files.readString(
                        Path.of("src/it/readme-snippet/src/main/java/QuickStart.java"),
                        StandardCharsets.UTF_8);
        List<String> javaBlocks = new ArrayList<>();
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            javaBlocks.add(block.group(1));
        }
        assertThat(javaBlocks).as("the README's java code blocks").contains(checked);
    }

    @Test
    void readmeListsExactlyTheConsumersDependencies() throws IOException {
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        String pom =
                Files.readString(Path.of("src/it/readme-snippet/pom.xml"), StandardCharsets.UTF_8);
        for (String artifact : new String[] {"clip-search", "store-lance"}) {
            String dependency =
                    "<groupId>dev.clipsearch</groupId>\n      <artifactId>"
                            + artifact
                            + "</artifactId>";
            assertThat(pom).contains(dependency);
            assertThat(readme).contains("<artifactId>" + artifact + "</artifactId>");
        }
        assertThat(pom.split("<dependency>", -1))
                .as("the consumer declares two dependencies")
                .hasSize(3);
    }
}
