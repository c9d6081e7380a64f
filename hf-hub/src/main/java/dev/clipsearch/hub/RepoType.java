package dev.clipsearch.hub;

/** Kind of a Hugging Face Hub repository. Spaces are not supported. */
public enum RepoType {
    /** A model repository, e.g. {@code openai/clip-vit-base-patch32}. */
    MODEL("model", "models", ""),
    /** A dataset repository, e.g. {@code zh-plus/tiny-imagenet}. */
    DATASET("dataset", "datasets", "datasets/");

    private final String singular;
    private final String plural;
    private final String urlPrefix;

    RepoType(String singular, String plural, String urlPrefix) {
        this.singular = singular;
        this.plural = plural;
        this.urlPrefix = urlPrefix;
    }

    /** "model" or "dataset", as used in messages. */
    String singular() {
        return singular;
    }

    /** "models" or "datasets", as used in the cache folder name and the API paths. */
    String plural() {
        return plural;
    }

    /** Prefix of the repository id in resolve URLs: "" for models, "datasets/" for datasets. */
    String urlPrefix() {
        return urlPrefix;
    }
}
