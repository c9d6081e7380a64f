package dev.clipsearch.dataset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a split's data files by name, the way the Hub and the {@code datasets} library do when a
 * dataset card has no {@code configs}: first sharded files {@code data/{split}-00000-of-00001*.*};
 * else files in a directory named after a split keyword ({@code train/}, {@code data/test-x/} ...);
 * else files whose name holds a split keyword ({@code valid.parquet}, {@code
 * data/my-train-0.parquet} ...); else everything is {@code train}. Unlike {@code datasets}, each
 * keyword is its own split ({@code valid}, {@code validation} and {@code val} stay distinct), so
 * split names are those the files use. Paths are repository-relative and '/'-separated.
 */
final class DataFilePatterns {

    /** The split keywords of {@code datasets}, in its order (train, validation, test). */
    static final List<String> SPLIT_KEYWORDS =
            List.of(
                    "train",
                    "training",
                    "validation",
                    "valid",
                    "dev",
                    "val",
                    "test",
                    "testing",
                    "eval",
                    "evaluation");

    private static final Pattern SHARDED =
            Pattern.compile("data/(\\w+(?:\\.\\w+)*)-\\d{5}-of-\\d{5}[^/]*\\.[^/]*");
    private static final String SEP = "[-._ 0-9]";

    private DataFilePatterns() {}

    /**
     * Split name to files (sorted), splits in keyword order then by name; empty when {@code files}
     * is empty.
     */
    static Map<String, List<String>> resolveByName(List<String> files) {
        Map<String, List<String>> sharded = new TreeMap<>();
        for (String file : files) {
            Matcher m = SHARDED.matcher(file);
            if (m.matches()) {
                sharded.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(file);
            }
        }
        if (!sharded.isEmpty()) {
            return ordered(sharded);
        }
        for (boolean inDirectory : new boolean[] {true, false}) {
            Map<String, List<String>> found = new TreeMap<>();
            for (String keyword : SPLIT_KEYWORDS) {
                Pattern pattern =
                        inDirectory
                                ? Pattern.compile(
                                        "(?:[^/]*/)*(?:[^/]*"
                                                + SEP
                                                + ")?"
                                                + keyword
                                                + "(?:"
                                                + SEP
                                                + "[^/]*)?/.*")
                                : Pattern.compile(
                                        "(?:[^/]*/)*(?:[^/]*"
                                                + SEP
                                                + ")?"
                                                + keyword
                                                + SEP
                                                + "[^/]*");
                for (String file : files) {
                    if (pattern.matcher(file).matches()) {
                        found.computeIfAbsent(keyword, k -> new ArrayList<>()).add(file);
                    }
                }
            }
            if (!found.isEmpty()) {
                return ordered(found);
            }
        }
        Map<String, List<String>> all = new TreeMap<>();
        if (!files.isEmpty()) {
            all.put("train", new ArrayList<>(files));
        }
        return ordered(all);
    }

    /**
     * Sorts the files of each split and orders the splits: keywords first (train, validation,
     * test), then by name.
     */
    static Map<String, List<String>> ordered(Map<String, List<String>> splits) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        splits.keySet().stream()
                .sorted(splitOrder())
                .forEach(
                        split ->
                                result.put(
                                        split,
                                        splits.get(split).stream().distinct().sorted().toList()));
        return result;
    }

    static Comparator<String> splitOrder() {
        return Comparator.<String>comparingInt(
                        split -> {
                            int i = SPLIT_KEYWORDS.indexOf(split);
                            return i < 0 ? SPLIT_KEYWORDS.size() : i;
                        })
                .thenComparing(Comparator.naturalOrder());
    }

    /**
     * The files matching a {@code data_files} glob: {@code *} and {@code ?} stay within a
     * directory, {@code **} doesn't.
     */
    static List<String> match(String glob, List<String> files) {
        Pattern pattern = globToRegex(glob);
        List<String> matched = new ArrayList<>();
        for (String file : files) {
            if (pattern.matcher(file).matches()) {
                matched.add(file);
            }
        }
        if (matched.isEmpty() && !glob.matches(".*[*?\\[].*")) {
            // A plain directory name stands for the files below it.
            String prefix = glob.endsWith("/") ? glob : glob + "/";
            files.stream().filter(f -> f.startsWith(prefix)).forEach(matched::add);
        }
        return matched;
    }

    static Pattern globToRegex(String glob) {
        String g = glob.startsWith("./") ? glob.substring(2) : glob;
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*') {
                if (i + 1 < g.length() && g.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < g.length() && g.charAt(i + 1) == '/') {
                        i++;
                        regex.append("(?:[^/]*/)*");
                    } else {
                        regex.append(".*");
                    }
                } else {
                    regex.append("[^/]*");
                }
            } else if (c == '?') {
                regex.append("[^/]");
            } else if (c == '[') {
                int end = g.indexOf(']', i + 2);
                if (end < 0) {
                    regex.append("\\[");
                } else {
                    String set = g.substring(i + 1, end);
                    if (set.startsWith("!")) {
                        set = "^" + set.substring(1);
                    }
                    regex.append('[').append(set.replace("\\", "\\\\")).append(']');
                    i = end;
                }
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
