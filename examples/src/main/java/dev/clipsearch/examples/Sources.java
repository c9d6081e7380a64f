package dev.clipsearch.examples;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.dataset.LabelNames;
import dev.clipsearch.dataset.TinyImageNet;
import dev.clipsearch.hub.HfHub;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens models, datasets and class names from repo ids or local paths. */
final class Sources {
  private Sources() {}

  /** A model from a local directory, or downloaded (cached) from the Hub by repo id. */
  static ClipModel loadModel(String repoIdOrDirectory, HfHub hub) {
    Path dir = localPath(repoIdOrDirectory);
    if (dir != null && Files.isDirectory(dir)) {
      return ClipModels.load(dir);
    }
    if (looksLikePath(repoIdOrDirectory)) {
      throw new IllegalArgumentException("Model directory not found: " + repoIdOrDirectory);
    }
    return ClipModels.fromPretrained(repoIdOrDirectory, hub);
  }

  /** A dataset from a local Hub-layout directory or parquet file, or from the Hub by repo id. */
  static HfDataset loadDataset(String repoIdOrPath, HfHub hub) {
    Path local = localPath(repoIdOrPath);
    if (local != null && Files.exists(local)) {
      return HfDatasets.load(local.toString());
    }
    if (looksLikePath(repoIdOrPath)) {
      throw new IllegalArgumentException("Dataset not found: " + repoIdOrPath);
    }
    return HfDatasets.load(repoIdOrPath, hub);
  }

  /**
   * The class names to show and to prompt with: those of {@code classNamesTsv} when given; for Tiny ImageNet,
   * whose own names are WordNet ids ({@code n01443537}), the readable names published with CLIP; else the
   * dataset's own.
   */
  static LabelNames labelNames(HfDataset dataset, Path classNamesTsv) {
    if (classNamesTsv != null) {
      return LabelNames.fromTsv(classNamesTsv);
    }
    LabelNames own = dataset.labelNames();
    if (isTinyImageNetOrder(own)) {
      return TinyImageNet.readableNames();
    }
    return own;
  }

  /**
   * Whether the names are the 200 WordNet ids of Tiny ImageNet with label i the i-th id in sorted order, the order
   * {@link TinyImageNet#readableNames()} is keyed by.
   */
  static boolean isTinyImageNetOrder(LabelNames names) {
    if (names.size() != 200) {
      return false;
    }
    String previous = "";
    int expected = 0;
    for (var e : names.asMap().entrySet()) {
      if (e.getKey() != expected++ || !e.getValue().matches("n\\d{8}") || e.getValue().compareTo(previous) <= 0) {
        return false;
      }
      previous = e.getValue();
    }
    return true;
  }

  /** Whether a name is meant as a local path rather than a Hub repo id ({@code name} or {@code org/name}). */
  static boolean looksLikePath(String s) {
    return s.startsWith("/") || s.startsWith(".") || s.startsWith("~") || s.contains("\\")
        || s.indexOf('/') != s.lastIndexOf('/') || s.endsWith(".parquet") || (s.length() > 1 && s.charAt(1) == ':');
  }

  private static Path localPath(String s) {
    try {
      return Path.of(s);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
