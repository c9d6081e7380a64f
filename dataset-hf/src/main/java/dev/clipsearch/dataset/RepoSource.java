package dev.clipsearch.dataset;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The files of a dataset repository: a local directory in the Hub's layout, or a repository on the
 * Hub.
 */
interface RepoSource {

    /** The dataset's name (repo id or directory). */
    String name();

    /**
     * All files, repository-relative '/'-separated paths, hidden ones ({@code .x}, {@code __x})
     * left out.
     */
    List<String> listFiles();

    /** The text of a file, if the repository has it. */
    Optional<String> readText(String path);

    /** A local copy of a listed file (downloaded first for the Hub). */
    Path fetch(String path);

    /**
     * The Hub's parquet conversion of the dataset ({@code refs/convert/parquet}), where there is
     * one.
     */
    Optional<RepoSource> parquetConversion();

    /** Whether a repository-relative path is hidden: a part starts with '.' or "__". */
    static boolean isHidden(String path) {
        for (String part : path.split("/")) {
            if (part.startsWith(".") || part.startsWith("__")) {
                return true;
            }
        }
        return false;
    }
}
