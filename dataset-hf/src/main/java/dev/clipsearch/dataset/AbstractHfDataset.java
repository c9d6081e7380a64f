package dev.clipsearch.dataset;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A dataset's name and named splits, and the lookup of a split by name. */
abstract class AbstractHfDataset<S extends DatasetSplit> implements HfDataset {

    private final String kind;
    private final String name;
    private final Map<String, S> splits;

    /**
     * @param kind what the dataset is, for error messages ("dataset", "image folder")
     * @param splits the splits by name, in the dataset's order
     */
    AbstractHfDataset(String kind, String name, Map<String, S> splits) {
        this.kind = kind;
        this.name = name;
        this.splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
    }

    /** The splits by name, in the dataset's order. */
    final Map<String, S> splitsByName() {
        return splits;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<String> splits() {
        return List.copyOf(splits.keySet());
    }

    @Override
    public final S split(String split) {
        S found = splits.get(split);
        if (found == null) {
            throw new DatasetException(
                    kind
                            + " "
                            + name
                            + " has no split '"
                            + split
                            + "'; its splits are "
                            + splits.keySet());
        }
        return found;
    }
}
