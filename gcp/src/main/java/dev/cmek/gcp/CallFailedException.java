package dev.cmek.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ErrorDetails;
import com.google.api.gax.rpc.StatusCode;
import com.google.rpc.PreconditionFailure;
import io.grpc.Status;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Google Cloud call failed with a status we do not handle. Carries the operation, the resource, the status code and
 * a {@link Failure} class that the bridge maps to an exit code; the message is one line that says what to do, without
 * exception class names.
 */
public final class CallFailedException extends GcpCmekException {
    /** What kind of failure, for the exit code and the advice. */
    public enum Failure {
        /** UNAVAILABLE or DEADLINE_EXCEEDED through the whole retry budget. */
        UNAVAILABLE,
        /** The credentials lack a permission. */
        PERMISSION_DENIED,
        /** The API is not enabled in the project. */
        API_DISABLED,
        /** An organization policy constraint refused the change. */
        ORG_POLICY,
        /** No Application Default Credentials, or Google refused them. */
        NO_CREDENTIALS,
        NOT_FOUND,
        /** Any other refusal. */
        REJECTED
    }

    /** Google names the missing permission in the message: "Permission 'cloudkms.keyRings.create' denied on ...". */
    private static final Pattern PERMISSION_IN_MESSAGE =
            Pattern.compile("[Pp]ermission '?([a-zA-Z0-9]+\\.[a-zA-Z0-9.]+)'?");

    private static final String LOGIN = "gcloud auth application-default login";

    private final String operation;
    private final String resource;
    private final StatusCode.Code code;
    private final Failure failure;

    private CallFailedException(
            String operation, String resource, StatusCode.Code code, Failure failure, String message, Throwable cause) {
        super(message, cause);
        this.operation = operation;
        this.resource = resource;
        this.code = code;
        this.failure = failure;
    }

    /** Classifies a failed call from its status and error details (ErrorInfo, PreconditionFailure). */
    public static CallFailedException of(String operation, String resource, ApiException e) {
        return of(operation, resource, e, null);
    }

    /**
     * @param change what the call was doing in words (e.g. "adding roles/x -> serviceAccount:y"), named in the advice
     *     for an organization policy; or null
     */
    public static CallFailedException of(String operation, String resource, ApiException e, String change) {
        StatusCode.Code code = e.getStatusCode().getCode();
        String description = description(e);
        String what = operation + " on " + resource;
        Optional<String> serviceDisabled = serviceDisabled(e);
        if (serviceDisabled.isPresent()) {
            // https://cloud.google.com/service-usage/docs/troubleshooting: ErrorInfo{reason: SERVICE_DISABLED,
            // metadata.service}
            String service = serviceDisabled.get();
            String project = consumerProject(e).orElse(projectOf(resource).orElse("PROJECT"));
            return new CallFailedException(
                    operation,
                    resource,
                    code,
                    Failure.API_DISABLED,
                    "the API " + service + " is not enabled in project " + project + " (" + what
                            + "): run gcloud services enable " + service + " --project " + project
                            + ", wait a minute, and run the same command again.",
                    e);
        }
        if (description.startsWith(UnreachableEndpoints.PREFIX)) {
            return new CallFailedException(
                    operation,
                    resource,
                    code,
                    Failure.UNAVAILABLE,
                    what + ": Google " + description + ". Check the network (or CLOUDKMS_EMULATOR_HOST and"
                            + " IAM_EMULATOR_HOST), then run the same command again.",
                    e);
        }
        Optional<PreconditionFailure.Violation> constraint = constraintViolation(e);
        if (constraint.isPresent()) {
            String type = constraint.get().getType();
            return new CallFailedException(
                    operation,
                    resource,
                    code,
                    Failure.ORG_POLICY,
                    "the organization policy " + type + " refused " + (change != null ? change : what) + " on "
                            + resource + " (" + firstNonEmpty(constraint.get().getDescription(), description)
                            + "): allow that member in " + type
                            + " (for domain-restricted sharing, add the customer id of CockroachDB's organization to"
                            + " the allowed values, or make an exception for this project), then run the same command"
                            + " again.",
                    e);
        }
        return switch (code) {
            case PERMISSION_DENIED -> {
                Optional<String> permission = permission(e, description);
                yield new CallFailedException(
                        operation,
                        resource,
                        code,
                        Failure.PERMISSION_DENIED,
                        what + " was refused with PERMISSION_DENIED: the credentials in use lack "
                                + permission
                                        .map(p -> "the permission " + p)
                                        .orElse("a permission (" + description + ")")
                                + ". Grant a role that holds it (roles/cloudkms.admin for Cloud KMS,"
                                + " roles/iam.serviceAccountAdmin for service accounts) and run the same command"
                                + " again.",
                        e);
            }
            case UNAUTHENTICATED ->
                new CallFailedException(
                        operation,
                        resource,
                        code,
                        Failure.NO_CREDENTIALS,
                        what + " was refused with UNAUTHENTICATED (" + description + "): run " + LOGIN
                                + ", then run the same command again.",
                        e);
            case UNAVAILABLE, DEADLINE_EXCEEDED ->
                new CallFailedException(
                        operation,
                        resource,
                        code,
                        Failure.UNAVAILABLE,
                        what + " failed with " + code + " through every retry (" + description
                                + "). Run the same command again: the run is idempotent.",
                        e);
            case NOT_FOUND ->
                new CallFailedException(
                        operation,
                        resource,
                        code,
                        Failure.NOT_FOUND,
                        what + " failed with NOT_FOUND (" + description
                                + "). Check --gcp-project, --gcp-key-location and --existing-key.",
                        e);
            default ->
                new CallFailedException(
                        operation,
                        resource,
                        code,
                        Failure.REJECTED,
                        what + " failed with " + code + " (" + description
                                + "). Fix the cause and run the same command again: the run is idempotent.",
                        e);
        };
    }

    /** No Application Default Credentials could be loaded, so no client could be built. */
    public static CallFailedException noCredentials(String client, Throwable cause) {
        return new CallFailedException(
                "build the " + client + " client",
                "Application Default Credentials",
                StatusCode.Code.UNAUTHENTICATED,
                Failure.NO_CREDENTIALS,
                "no Google Application Default Credentials could be loaded for the " + client + " client ("
                        + firstLine(cause.getMessage()) + "): run " + LOGIN
                        + " (or set GOOGLE_APPLICATION_CREDENTIALS to a key file), then run the same command again.",
                cause);
    }

    /** The gRPC status description, without the "io.grpc.StatusRuntimeException: CODE: " prefix gax puts in front. */
    static String description(ApiException e) {
        Status status = Status.fromThrowable(e);
        String d = status.getDescription();
        if (d == null || d.isBlank()) {
            d = e.getMessage() == null ? "" : e.getMessage().replaceFirst("^[\\w.$]+Exception: ", "");
        }
        return firstLine(d).isBlank() ? String.valueOf(e.getStatusCode().getCode()) : firstLine(d);
    }

    private static Optional<String> serviceDisabled(ApiException e) {
        if ("SERVICE_DISABLED".equals(e.getReason())) {
            return Optional.ofNullable(e.getMetadata()).map(m -> m.get("service"));
        }
        return Optional.empty();
    }

    private static Optional<String> consumerProject(ApiException e) {
        return Optional.ofNullable(e.getMetadata())
                .map(m -> m.get("consumer"))
                .map(c -> c.replaceFirst("^projects/", ""));
    }

    private static Optional<PreconditionFailure.Violation> constraintViolation(ApiException e) {
        ErrorDetails details = e.getErrorDetails();
        if (details == null || details.getPreconditionFailure() == null) {
            return Optional.empty();
        }
        return details.getPreconditionFailure().getViolationsList().stream()
                .filter(v -> v.getType().startsWith("constraints/"))
                .findFirst();
    }

    private static Optional<String> permission(ApiException e, String description) {
        if (e.getMetadata() != null && e.getMetadata().containsKey("permission")) {
            return Optional.of(e.getMetadata().get("permission"));
        }
        Matcher m = PERMISSION_IN_MESSAGE.matcher(description);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<String> projectOf(String resource) {
        Matcher m = Pattern.compile("projects/([^/]+)").matcher(resource);
        if (m.find()) {
            return Optional.of(m.group(1));
        }
        Matcher email = Pattern.compile("@([a-z][a-z0-9-]+)\\.iam\\.gserviceaccount\\.com")
                .matcher(resource);
        return email.find() ? Optional.of(email.group(1)) : Optional.empty();
    }

    private static String firstNonEmpty(String a, String b) {
        return a == null || a.isBlank() ? b : a;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip();
    }

    public String operation() {
        return operation;
    }

    public String resource() {
        return resource;
    }

    public StatusCode.Code code() {
        return code;
    }

    public Failure failure() {
        return failure;
    }
}
