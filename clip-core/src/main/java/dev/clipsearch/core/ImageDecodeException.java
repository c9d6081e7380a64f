package dev.clipsearch.core;

/**
 * Thrown when encoded image bytes cannot be turned into pixels: empty, corrupt or truncated data,
 * an unrecognised or unsupported format, or an image whose header declares more pixels than
 * allowed.
 *
 * <p>The message names the input (a file path, dataset row or other caller-supplied name) and the
 * reason, for example {@code Cannot decode image 'photos/cat.png': truncated image data}. It
 * extends {@link IllegalArgumentException} because the problem lies in the input, so batch jobs can
 * skip and report the offending item.
 */
public class ImageDecodeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Name of the input that could not be decoded. */
    private final String inputName;

    /** Why it could not be decoded. */
    private final String reason;

    /**
     * Creates an exception for one input.
     *
     * @param inputName name of the input that failed (file path, row id, ...); {@code null} becomes
     *     {@code "<unnamed>"}
     * @param reason short description of what is wrong with it
     * @param cause underlying exception, or {@code null}
     */
    public ImageDecodeException(String inputName, String reason, Throwable cause) {
        super("Cannot decode image '" + nameOrDefault(inputName) + "': " + reason, cause);
        this.inputName = nameOrDefault(inputName);
        this.reason = reason;
    }

    /**
     * Returns the name of the input that could not be decoded.
     *
     * @return the input name as given by the caller ({@code "<unnamed>"} when none was given)
     */
    public String inputName() {
        return inputName;
    }

    /**
     * Returns the reason the input could not be decoded, without the input name.
     *
     * @return a short human-readable reason
     */
    public String reason() {
        return reason;
    }

    static String nameOrDefault(String inputName) {
        return inputName == null || inputName.isBlank() ? "<unnamed>" : inputName;
    }
}
