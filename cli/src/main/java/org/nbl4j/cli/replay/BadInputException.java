package org.nbl4j.cli.replay;

/**
 * Input the command cannot use: a bad configuration line or option value, or a capture file it cannot open. The
 * message is one line that names the place (file and line, or the option) and the problem; the command exits with
 * status 2.
 */
public final class BadInputException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A problem with the input, described in one line. */
    public BadInputException(String message) {
        super(message);
    }

    /** A problem with the input, described in one line, caused by {@code cause}. */
    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
