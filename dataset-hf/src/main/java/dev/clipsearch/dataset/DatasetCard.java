package dev.clipsearch.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The YAML header of a dataset card (README.md): the {@code configs} with their {@code data_files},
 * and the class names of {@code dataset_info.features}. Also reads the same features from the
 * {@code huggingface} key-value metadata that {@code datasets} writes into parquet files.
 */
final class DatasetCard {

    static final DatasetCard EMPTY = new DatasetCard(null);

    private static final Pattern FRONT_MATTER =
            Pattern.compile(
                    "\\A\\uFEFF?---[ \\t]*\\r?\\n(.*?)^---[ \\t]*$",
                    Pattern.DOTALL | Pattern.MULTILINE);
    private static final String LABEL_COLUMN = "label";

    /**
     * One {@code configs} entry.
     *
     * @param name config_name
     * @param dataFiles split name to its path patterns, in the card's order
     * @param isDefault whether the entry says {@code default: true}
     */
    record Config(String name, Map<String, List<String>> dataFiles, boolean isDefault) {}

    private final JsonNode yaml;

    private DatasetCard(JsonNode yaml) {
        this.yaml = yaml;
    }

    /**
     * Parses the card's YAML front matter; a card without one is {@link #EMPTY}.
     *
     * @param source names the card in error messages
     * @throws DatasetException when the front matter is not valid YAML
     */
    static DatasetCard parse(String markdown, String source) {
        Matcher m = FRONT_MATTER.matcher(markdown);
        if (!m.find()) {
            return EMPTY;
        }
        try {
            JsonNode node = new YAMLMapper().readTree(m.group(1));
            return node == null || !node.isObject() ? EMPTY : new DatasetCard(node);
        } catch (JsonProcessingException e) {
            throw new DatasetException(
                    "dataset card " + source + " has invalid YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** The configs of the card, in order. */
    List<Config> configs() {
        List<Config> configs = new ArrayList<>();
        if (yaml == null || !yaml.path("configs").isArray()) {
            return configs;
        }
        for (JsonNode config : yaml.get("configs")) {
            String name = config.path("config_name").asText("default");
            configs.add(
                    new Config(
                            name,
                            dataFiles(config.get("data_files")),
                            config.path("default").asBoolean(false)));
        }
        return configs;
    }

    /** The config marked default, else the one named "default", else the first one. */
    Optional<Config> defaultConfig() {
        List<Config> configs = configs();
        return configs.stream()
                .filter(Config::isDefault)
                .findFirst()
                .or(() -> configs.stream().filter(c -> c.name().equals("default")).findFirst())
                .or(() -> configs.stream().findFirst());
    }

    /**
     * The {@code data_files} forms of the Hub: a pattern, a list of patterns, a list of {split,
     * path}, a map.
     */
    private static Map<String, List<String>> dataFiles(JsonNode node) {
        Map<String, List<String>> splits = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return splits;
        }
        if (node.isTextual()) {
            splits.put("train", List.of(node.asText()));
        } else if (node.isArray()) {
            for (JsonNode entry : node) {
                if (entry.isTextual()) {
                    splits.computeIfAbsent("train", k -> new ArrayList<>()).add(entry.asText());
                } else {
                    String split = entry.path("split").asText("train");
                    splits.computeIfAbsent(split, k -> new ArrayList<>())
                            .addAll(texts(entry.get("path")));
                }
            }
        } else if (node.isObject()) {
            node.properties().forEach(e -> splits.put(e.getKey(), texts(e.getValue())));
        }
        return splits;
    }

    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node == null || node.isNull()) {
            return texts;
        }
        if (node.isArray()) {
            node.forEach(n -> texts.add(n.asText()));
        } else {
            texts.add(node.asText());
        }
        return texts;
    }

    /**
     * The class names of the label feature in {@code dataset_info} (of {@code configName} when the
     * card describes several configs); empty when the card has none.
     */
    LabelNames labelNames(String configName) {
        JsonNode label = labelFeature(features(configName));
        return label == null
                ? LabelNames.empty()
                : names(label.path("dtype").path("class_label").path("names"));
    }

    /**
     * The columns to read: the first feature of dtype {@code image} (else "image"), and the class
     * label feature named "label", else the first class label feature (else "label").
     */
    ParquetColumns columns(String configName) {
        List<JsonNode> features = features(configName);
        String image =
                features.stream()
                        .filter(f -> "image".equals(f.path("dtype").asText()))
                        .map(f -> f.path("name").asText())
                        .filter(n -> !n.isEmpty())
                        .findFirst()
                        .orElse(ParquetColumns.DEFAULT.image());
        JsonNode label = labelFeature(features);
        return new ParquetColumns(
                image,
                label == null || label.path("name").asText().isEmpty()
                        ? ParquetColumns.DEFAULT.label()
                        : label.path("name").asText());
    }

    /**
     * The features of {@code dataset_info}, of the entry for {@code configName} when it is a list.
     */
    private List<JsonNode> features(String configName) {
        List<JsonNode> features = new ArrayList<>();
        if (yaml == null) {
            return features;
        }
        JsonNode info = yaml.path("dataset_info");
        if (info.isArray()) {
            JsonNode chosen = MissingNode.getInstance();
            for (JsonNode entry : info) {
                if (chosen.isMissingNode()
                        || entry.path("config_name").asText("default").equals(configName)) {
                    chosen = entry;
                }
            }
            info = chosen;
        }
        JsonNode list = info.path("features");
        if (list.isArray()) {
            list.forEach(features::add);
        }
        return features;
    }

    /** The class label feature named "label", else the first class label feature, else null. */
    private static JsonNode labelFeature(List<JsonNode> features) {
        JsonNode found = null;
        for (JsonNode feature : features) {
            if (feature.path("dtype").path("class_label").has("names")
                    && (found == null || LABEL_COLUMN.equals(feature.path("name").asText()))) {
                found = feature;
            }
        }
        return found;
    }

    /**
     * Label names from a parquet file's {@code huggingface} metadata ({@code
     * info.features.label.names}).
     */
    static LabelNames fromParquetMetadata(String json, String source) {
        try {
            JsonNode features = new ObjectMapper().readTree(json).path("info").path("features");
            JsonNode names = features.path(LABEL_COLUMN).path("names");
            if (names.isMissingNode()) {
                for (JsonNode feature : features) {
                    if (feature.has("names")
                            && "ClassLabel".equals(feature.path("_type").asText())) {
                        names = feature.get("names");
                        break;
                    }
                }
            }
            return names.isMissingNode() ? LabelNames.empty() : names(names);
        } catch (JsonProcessingException e) {
            throw new DatasetException(
                    "invalid 'huggingface' metadata in " + source + ": " + e.getOriginalMessage(),
                    e);
        }
    }

    /** Names given as a list, or as a map of label index to name ({"0": "n01443537", ...}). */
    private static LabelNames names(JsonNode names) {
        if (names.isArray()) {
            List<String> list = new ArrayList<>();
            names.forEach(n -> list.add(n.asText()));
            return LabelNames.of(list);
        }
        Map<Integer, String> map = new TreeMap<>();
        names.properties()
                .forEach(
                        e -> {
                            try {
                                map.put(Integer.parseInt(e.getKey().trim()), e.getValue().asText());
                            } catch (NumberFormatException ex) {
                                throw new DatasetException(
                                        "class_label name key '"
                                                + e.getKey()
                                                + "' is not a label index",
                                        ex);
                            }
                        });
        return LabelNames.of(map);
    }
}
