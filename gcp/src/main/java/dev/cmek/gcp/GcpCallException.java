package dev.cmek.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;

/** A Google Cloud call failed with a status we do not handle; carries the operation, the resource and the code. */
public final class GcpCallException extends GcpCmekException {
    private final String operation;
    private final String resource;
    private final StatusCode.Code code;

    public GcpCallException(String operation, String resource, ApiException cause) {
        super(
                operation + " on " + resource + " failed with "
                        + cause.getStatusCode().getCode() + ": " + cause.getMessage()
                        + hint(cause.getStatusCode().getCode()),
                cause);
        this.operation = operation;
        this.resource = resource;
        this.code = cause.getStatusCode().getCode();
    }

    private static String hint(StatusCode.Code code) {
        return switch (code) {
            case PERMISSION_DENIED, UNAUTHENTICATED ->
                ". Check Application Default Credentials (gcloud auth application-default login) and that"
                        + " they hold roles/cloudkms.admin and roles/iam.serviceAccountAdmin in the customer project.";
            case UNAVAILABLE, DEADLINE_EXCEEDED ->
                ". The service stayed unavailable through every retry; run again (the run is idempotent).";
            case NOT_FOUND -> ". Check the project id, location and names.";
            default -> ". The run is idempotent: fix the cause and run again.";
        };
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
}
