package dev.clipsearch.dataset;

/**
 * A dataset can't be found, resolved or read. The message names what is wrong: the dataset, split,
 * file, row or column involved.
 */
public class DatasetException extends RuntimeException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
