import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs the README's snippet (QuickStart, pasted verbatim) on fixtures and checks what it prints.
 * args: the clip-core test resources folder, a work folder.
 */
public class CheckTopResult {
    /** The labels of clip-core's 8 Tiny ImageNet validation images val_0..val_7. */
    private static final int[] LABELS = {107, 139, 140, 69, 69, 161, 147, 73};

    public static void main(String[] args) throws IOException {
        Path resources = Path.of(args[0]);
        Path work = Path.of(args[1]);
        Path model = work.resolve("model");
        Files.createDirectories(model);
        for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json")) {
            copy(resources.resolve("models/tinyclip-tinyimagenet").resolve(f), model.resolve(f));
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            copy(resources.resolve("models/tokenizer").resolve(f), model.resolve(f));
        }
        Path images = work.resolve("images");
        for (int i = 0; i < LABELS.length; i++) {
            String name = "val_" + i + ".JPEG";
            copy(
                    resources.resolve("models/tinyclip-tinyimagenet/images").resolve(name),
                    images.resolve(String.format("class-%03d", LABELS[i])).resolve(name));
        }
        deleteTree(Path.of("data")); // the snippet's store: start empty

        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[] {model.toString(), images.toString(), "train"});
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.print(out);

        check(out.contains("Indexed 8 of 8 rows"), "all 8 images indexed", out);
        List<String[]> text = lines(out, "text");
        List<String[]> similar = lines(out, "similar");
        List<String[]> filtered = lines(out, "filtered");
        check(text.size() == 3 && similar.size() == 3, "3 text and 3 similar hits", out);
        check(
                similar.get(0)[1].equals(text.get(0)[1]),
                "the top similar hit is the example itself (" + text.get(0)[1] + ")",
                out);
        check(Double.parseDouble(similar.get(0)[3].replace(",", ".")) > 0.99, "the top similar score is ~1", out);
        check(!filtered.isEmpty(), "the label filter finds images", out);
        for (String[] f : filtered) {
            check(f[2].equals(text.get(0)[2]), "filtered hits have the filter's label", out);
        }
        System.out.println("README snippet: OK");
    }

    private static List<String[]> lines(String out, String kind) {
        return out.lines()
                .map(String::strip)
                .map(l -> l.split("\\s+"))
                .filter(p -> p.length == 4 && p[0].equals(kind))
                .toList();
    }

    private static void check(boolean ok, String what, String out) {
        if (!ok) {
            System.err.println("README snippet check failed: expected " + what + "; it printed:");
            System.err.println(out);
            System.exit(1);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
