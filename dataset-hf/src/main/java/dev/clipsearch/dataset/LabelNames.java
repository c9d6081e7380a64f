package dev.clipsearch.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The names of a dataset's class labels, keyed by label index. Immutable. */
public final class LabelNames {

    private static final LabelNames EMPTY = new LabelNames(new TreeMap<>());

    private final Map<Integer, String> names;

    private LabelNames(TreeMap<Integer, String> names) {
        this.names = Collections.unmodifiableMap(names);
    }

    /** Names for labels 0..names.size()-1, in order. */
    public static LabelNames of(List<String> names) {
        TreeMap<Integer, String> map = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null) {
                throw new IllegalArgumentException("name of label " + i + " is null");
            }
            map.put(i, name);
        }
        return new LabelNames(map);
    }

    /** Names keyed by label index (indexes may have gaps). */
    public static LabelNames of(Map<Integer, String> names) {
        return names.isEmpty() ? EMPTY : new LabelNames(new TreeMap<>(names));
    }

    /** No names. */
    public static LabelNames empty() {
        return EMPTY;
    }

    /**
     * Reads a tab-separated file whose header has a {@code label} column (the label index) and a
     * {@code name} column, like tiny-imagenet's {@code classes.tsv}; other columns are ignored.
     *
     * @throws DatasetException when the file can't be read, lacks the columns, or has a bad or
     *     repeated label
     */
    public static LabelNames fromTsv(Path tsv) {
        try (InputStream in = Files.newInputStream(tsv)) {
            return fromTsv(in, tsv.toString());
        } catch (IOException e) {
            throw new DatasetException(
                    "cannot read label names from " + tsv + ": " + e.getMessage(), e);
        }
    }

    static LabelNames fromTsv(InputStream in, String source) throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String header = reader.readLine();
        if (header == null) {
            throw new DatasetException(
                    source + " is empty; expected a header with 'label' and 'name' columns");
        }
        List<String> columns = Arrays.asList(header.split("\t", -1));
        int labelColumn = columns.indexOf("label");
        int nameColumn = columns.indexOf("name");
        if (labelColumn < 0 || nameColumn < 0) {
            throw new DatasetException(
                    source + " has columns " + columns + "; expected 'label' and 'name'");
        }
        TreeMap<Integer, String> map = new TreeMap<>();
        String line;
        int lineNumber = 1;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields.length <= Math.max(labelColumn, nameColumn)) {
                throw new DatasetException(
                        source
                                + " line "
                                + lineNumber
                                + " has "
                                + fields.length
                                + " fields; expected at least "
                                + (Math.max(labelColumn, nameColumn) + 1));
            }
            int label;
            try {
                label = Integer.parseInt(fields[labelColumn].trim());
            } catch (NumberFormatException e) {
                throw new DatasetException(
                        source
                                + " line "
                                + lineNumber
                                + ": label '"
                                + fields[labelColumn]
                                + "' is not an integer",
                        e);
            }
            if (map.put(label, fields[nameColumn].trim()) != null) {
                throw new DatasetException(
                        source + " line " + lineNumber + ": label " + label + " appears twice");
            }
        }
        return new LabelNames(map);
    }

    /** The name of {@code label}, if known. */
    public Optional<String> name(int label) {
        return Optional.ofNullable(names.get(label));
    }

    /** Number of named labels. */
    public int size() {
        return names.size();
    }

    /** Whether no label has a name. */
    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** All names keyed by label index, in label order (unmodifiable). */
    public Map<Integer, String> asMap() {
        return names;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelNames other && names.equals(other.names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return "LabelNames" + names;
    }
}
