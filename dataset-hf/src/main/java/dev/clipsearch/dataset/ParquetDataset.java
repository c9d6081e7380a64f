package dev.clipsearch.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataset whose splits are parquet files: a repository in the Hub's layout (local or on the Hub),
 * or one file. A repository's split files are found as the Hub finds them: the {@code
 * configs}/{@code data_files} of the card's YAML; else the standard file names ({@link
 * DataFilePatterns}); else the Hub's parquet conversion ({@code refs/convert/parquet}, {@code
 * {config}/{split}/*.parquet}).
 */
final class ParquetDataset extends AbstractHfDataset<ParquetSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(ParquetDataset.class);
    private static final String CARD = "README.md";
    private static final Pattern SHARD_NAME =
            Pattern.compile("(\\w+(?:\\.\\w+)*)-\\d{5}-of-\\d{5}.*");

    private final LabelNames cardLabelNames;
    private LabelNames labelNames;

    private ParquetDataset(
            String name, Map<String, ParquetSplit> splits, LabelNames cardLabelNames) {
        super("dataset", name, splits);
        this.cardLabelNames = cardLabelNames;
    }

    /**
     * A single parquet file: one split, named like the file's shard name ({@code
     * valid-00000-of-00001}) or train.
     */
    static ParquetDataset fromFile(Path file) {
        String fileName = file.getFileName().toString();
        Matcher m = SHARD_NAME.matcher(fileName);
        String split = m.matches() ? m.group(1) : "train";
        Map<String, ParquetSplit> splits = new LinkedHashMap<>();
        splits.put(
                split,
                new ParquetSplit(fileName, split, () -> List.of(file), ParquetColumns.DEFAULT));
        return new ParquetDataset(fileName, splits, LabelNames.empty());
    }

    /** A repository in the Hub's layout. */
    static ParquetDataset fromRepo(RepoSource source) {
        DatasetCard card =
                source.readText(CARD)
                        .map(text -> DatasetCard.parse(text, source.name() + "/" + CARD))
                        .orElse(DatasetCard.EMPTY);
        Optional<DatasetCard.Config> config = card.defaultConfig();
        RepoSource dataSource = source;
        Map<String, List<String>> splitFiles = resolve(source, card, config);
        if (splitFiles.isEmpty()) {
            Optional<RepoSource> conversion = source.parquetConversion();
            if (conversion.isPresent()) {
                LOG.info(
                        "dataset {} has no parquet files; using its parquet conversion {}",
                        source.name(),
                        conversion.get());
                dataSource = conversion.get();
                splitFiles = resolveConversion(dataSource, config.map(DatasetCard.Config::name));
            }
        }
        if (splitFiles.isEmpty()) {
            throw new DatasetException(
                    "dataset "
                            + source.name()
                            + " has no parquet files (looked for the "
                            + "configs/data_files of "
                            + CARD
                            + ", the standard names like data/{split}-00000-of-00001.parquet,"
                            + " {split}/*.parquet, {split}-*.parquet"
                            + (source.parquetConversion().isPresent()
                                    ? ", and the refs/convert/parquet revision)"
                                    : ")"));
        }
        RepoSource files = dataSource;
        String configName = config.map(DatasetCard.Config::name).orElse("default");
        ParquetColumns columns = card.columns(configName);
        Map<String, ParquetSplit> splits = new LinkedHashMap<>();
        splitFiles.forEach(
                (split, paths) ->
                        splits.put(
                                split,
                                new ParquetSplit(
                                        source.name(),
                                        split,
                                        () -> paths.stream().map(files::fetch).toList(),
                                        columns)));
        return new ParquetDataset(source.name(), splits, card.labelNames(configName));
    }

    /**
     * Split files from the card's default config, or by name; empty when there are no parquet data
     * files.
     */
    private static Map<String, List<String>> resolve(
            RepoSource source, DatasetCard card, Optional<DatasetCard.Config> config) {
        List<String> files = source.listFiles();
        if (config.isEmpty() || config.get().dataFiles().isEmpty()) {
            return DataFilePatterns.resolveByName(
                    files.stream().filter(ParquetDataset::isParquet).toList());
        }
        Map<String, List<String>> splits = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> split : config.get().dataFiles().entrySet()) {
            List<String> matched = new ArrayList<>();
            for (String pattern : split.getValue()) {
                matched.addAll(DataFilePatterns.match(pattern, files));
            }
            List<String> parquet =
                    matched.stream().filter(ParquetDataset::isParquet).distinct().sorted().toList();
            if (parquet.isEmpty()) {
                if (source.parquetConversion().isPresent()) {
                    return Map.of(); // the Hub's parquet conversion holds this dataset's data
                }
                throw new DatasetException(
                        "split '"
                                + split.getKey()
                                + "' of config '"
                                + config.get().name()
                                + "' of dataset "
                                + source.name()
                                + ": data_files "
                                + split.getValue()
                                + (matched.isEmpty()
                                        ? " match no file"
                                        : " match "
                                                + matched.subList(0, Math.min(3, matched.size()))
                                                + (matched.size() > 3 ? "..." : "")
                                                + ", not parquet files; only parquet is supported"));
            }
            splits.put(split.getKey(), parquet);
        }
        return splits;
    }

    /** Split files of the parquet conversion: {@code {config}/{split}/*.parquet}. */
    private static Map<String, List<String>> resolveConversion(
            RepoSource conversion, Optional<String> configName) {
        Map<String, Map<String, List<String>>> byConfig = new LinkedHashMap<>();
        for (String file : conversion.listFiles()) {
            String[] parts = file.split("/");
            if (parts.length == 3 && isParquet(file)) {
                byConfig.computeIfAbsent(parts[0], k -> new LinkedHashMap<>())
                        .computeIfAbsent(parts[1], k -> new ArrayList<>())
                        .add(file);
            }
        }
        String config =
                configName
                        .filter(byConfig::containsKey)
                        .orElse(
                                byConfig.containsKey("default")
                                        ? "default"
                                        : byConfig.keySet().stream()
                                                .sorted()
                                                .findFirst()
                                                .orElse(null));
        return config == null ? Map.of() : DataFilePatterns.ordered(byConfig.get(config));
    }

    private static boolean isParquet(String path) {
        return path.endsWith(".parquet");
    }

    /**
     * The card's class names; without them, those in the {@code huggingface} metadata of the first
     * parquet file (which may download it).
     */
    @Override
    public synchronized LabelNames labelNames() {
        if (labelNames == null) {
            labelNames = cardLabelNames.isEmpty() ? namesFromParquetMetadata() : cardLabelNames;
        }
        return labelNames;
    }

    private LabelNames namesFromParquetMetadata() {
        ParquetSplit first = splitsByName().values().iterator().next();
        List<Path> files = first.files();
        if (files.isEmpty() || !Files.isRegularFile(files.get(0))) {
            return LabelNames.empty();
        }
        Path file = files.get(0);
        try (Connection connection = DuckDb.connect()) {
            return DuckDb.keyValueMetadata(connection, file, "huggingface")
                    .map(json -> DatasetCard.fromParquetMetadata(json, file.toString()))
                    .orElse(LabelNames.empty());
        } catch (SQLException e) {
            throw new DatasetException("cannot close DuckDB connection: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ParquetDataset[" + name() + ", splits " + splitsByName().keySet() + "]";
    }
}
