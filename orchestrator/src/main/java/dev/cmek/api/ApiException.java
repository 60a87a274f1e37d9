package dev.cmek.api;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;

/** The Cloud API answered with an error body ({@code Status}) or could not be reached. */
public final class ApiException extends CmekException {
    private final int httpStatus;
    private final int code;
    private final String apiMessage;

    public ApiException(String operation, int httpStatus, int code, String apiMessage) {
        this(operation, httpStatus, code, apiMessage, null);
    }

    private ApiException(String operation, int httpStatus, int code, String apiMessage, Throwable cause) {
        super(
                exitCode(httpStatus),
                operation
                        + (httpStatus == 0 ? "" : ": HTTP " + httpStatus + hint(httpStatus))
                        + (apiMessage == null || apiMessage.isBlank() ? "" : ": " + oneLine(apiMessage)),
                cause);
        this.httpStatus = httpStatus;
        this.code = code;
        this.apiMessage = apiMessage;
    }

    /** The request never got an answer (connection refused, reset, timed out). */
    public static ApiException unreachable(String operation, String server, Exception cause) {
        String why = cause instanceof java.io.IOException io
                ? ProtocolMismatch.describe(io)
                : cause.getMessage() == null ? "no answer" : cause.getMessage();
        return new ApiException(operation, 0, 0, "cannot reach " + server + " (" + why + ")", cause);
    }

    /** The server speaks another protocol than the URL says (https to a plain-http port, or the reverse). */
    static ApiException protocolMismatch(String operation, String explanation, Exception cause) {
        return new ApiException(operation, 0, 0, explanation, cause);
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The {@code code} field of the error body (a gRPC code), or 0. */
    public int code() {
        return code;
    }

    public String apiMessage() {
        return apiMessage;
    }

    /** A 404 means what was named does not exist: bad input, and nothing was changed. */
    private static ExitCode exitCode(int httpStatus) {
        if (httpStatus == 0 || httpStatus >= 500) {
            return ExitCode.UNAVAILABLE;
        }
        return httpStatus == 404 ? ExitCode.BAD_INPUT : ExitCode.REJECTED;
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> " (the API key was not accepted: check COCKROACH_API_KEY or --api-key-file)";
            case 403 -> " (the service account needs CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER on this cluster)";
            case 404 -> " (not found: check the cluster id)";
            case 409 -> " (another operation holds the cluster; wait for it and try again)";
            case 429 -> " (rate limited)";
            default -> "";
        };
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
