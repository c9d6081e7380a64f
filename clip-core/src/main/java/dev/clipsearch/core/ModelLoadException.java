package dev.clipsearch.core;

/**
 * A model directory or one of its files is missing or malformed. The message names the file and the
 * problem (for a tensor: its name, the expected and the actual shape).
 */
public class ModelLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
