package dev.clipsearch.dataset;

/** A split's dataset and name, and the check of the row a read starts at. */
abstract class AbstractDatasetSplit implements DatasetSplit {

    private final String dataset;
    private final String name;

    AbstractDatasetSplit(String dataset, String name) {
        this.dataset = dataset;
        this.name = name;
    }

    @Override
    public final String dataset() {
        return dataset;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final RowCursor open(long startRow, BadRowListener listener) {
        if (startRow < 0) {
            throw new IllegalArgumentException("startRow must be >= 0, got " + startRow);
        }
        return openAt(startRow, listener);
    }

    /** {@link #open(long, BadRowListener)} once {@code startRow} is known to be {@code >= 0}. */
    abstract RowCursor openAt(long startRow, BadRowListener listener);

    @Override
    public String toString() {
        return dataset + "[" + name + "]";
    }
}
