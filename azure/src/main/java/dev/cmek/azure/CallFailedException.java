package dev.cmek.azure;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Azure call failed in a way the adapter does not handle. Carries the operation, the resource, the HTTP status (0
 * when no answer came), Azure's error code and a {@link Failure} class the bridge maps to an exit code; the message is
 * one line that says what failed and what to do.
 */
public final class CallFailedException extends AzureCmekException {
    /** What kind of failure, for the exit code and the advice. */
    public enum Failure {
        /** Any other refusal: bad input, a conflict, a policy. */
        REJECTED,
        /** The credentials lack a permission (403). */
        PERMISSION_DENIED,
        NOT_FOUND,
        /** No answer (the endpoint is unreachable), or 429 / 5xx through every retry. */
        UNAVAILABLE
    }

    /** Which Azure service answered, for the advice on a missing permission. */
    enum Service {
        ARM(
                "give the caller Owner, or User Access Administrator and Contributor, on the resource group or subscription"),
        GRAPH("give the caller Application.ReadWrite.All (or the Cloud Application Administrator role) in Microsoft"
                + " Graph, or have an administrator consent"),
        KEY_VAULT(
                "give the caller Key Vault Crypto Officer (or Key Vault Administrator) on the vault, its resource group"
                        + " or the subscription"),
        ENTRA("check the credentials");

        private final String permissionAdvice;

        Service(String permissionAdvice) {
            this.permissionAdvice = permissionAdvice;
        }
    }

    private final String operation;
    private final String resource;
    private final int status;
    private final String code;
    private final Failure failure;

    CallFailedException(
            String operation,
            String resource,
            int status,
            String code,
            Failure failure,
            String message,
            Throwable cause) {
        super(message, cause);
        this.operation = operation;
        this.resource = resource;
        this.status = status;
        this.code = code;
        this.failure = failure;
    }

    private static final Pattern SUBSCRIPTION_TENANT =
            Pattern.compile("must match the tenant 'https://sts\\.windows\\.net/([0-9a-fA-F-]{36})/'");

    /** An answer with an error status that the caller did not expect. */
    static CallFailedException answered(
            Service service, String operation, String resource, int status, String code, String message) {
        String what = operation + " on " + resource;
        String azure = status
                + (code == null || code.isEmpty() ? "" : " " + code)
                + (message == null || message.isEmpty() ? "" : ": " + oneLine(message));
        Failure failure;
        String text;
        if (status == 403) {
            failure = Failure.PERMISSION_DENIED;
            text = what + " was refused (" + azure + "): the credentials in use lack that permission; "
                    + service.permissionAdvice + ", then run the same command again.";
        } else if (status == 401 && "InvalidAuthenticationTokenTenant".equals(code)) {
            // ARM: the subscription is another tenant's than the token's. Its message names that tenant
            // (https://github.com/Azure/azure-sdk-for-net/issues/49391).
            Matcher owner = SUBSCRIPTION_TENANT.matcher(message == null ? "" : message);
            String tenant = owner.find() ? owner.group(1) : null;
            failure = Failure.PERMISSION_DENIED;
            text = what + " was refused (" + azure + "): the subscription belongs to "
                    + (tenant == null ? "another tenant" : "tenant " + tenant)
                    + ", not to the credentials' tenant; use credentials of that tenant (AZURE_TENANT_ID"
                    + (tenant == null ? "" : "=" + tenant) + "), then run the same command again.";
        } else if (status == 404) {
            failure = Failure.NOT_FOUND;
            text = what + " found nothing (" + azure + "): check the subscription, the resource group and any"
                    + " --existing-key given.";
        } else if (status == 408 || status == 429 || status >= 500) {
            failure = Failure.UNAVAILABLE;
            text = what + " failed through every retry (" + azure + "): run the same command again later; it is"
                    + " idempotent.";
        } else {
            failure = Failure.REJECTED;
            text = what + " was refused (" + azure + "): fix the cause and run the same command again; it is"
                    + " idempotent.";
        }
        return new CallFailedException(operation, resource, status, code, failure, text, null);
    }

    /** No answer at all: the host refused the connection, did not resolve, or did not answer in time. */
    static CallFailedException unreachable(String operation, String resource, String endpoint, Throwable cause) {
        return new CallFailedException(
                operation,
                resource,
                0,
                null,
                Failure.UNAVAILABLE,
                endpoint + " is unreachable (" + reason(cause) + ") during " + operation + " on " + resource
                        + ": check the network, proxy and DNS (or AZURE_EMULATOR_HOST), then run the same command"
                        + " again.",
                cause);
    }

    /** A write whose reply was lost, and whose effect could not be read back. */
    static CallFailedException replyLost(String operation, String resource, String check, Throwable cause) {
        return new CallFailedException(
                operation,
                resource,
                0,
                null,
                Failure.UNAVAILABLE,
                operation + " on " + resource + " sent, but its reply was lost (" + reason(cause) + "): " + check
                        + ", then run the same command again.",
                cause);
    }

    /** The innermost cause's class and message, in one line. */
    static String reason(Throwable t) {
        Throwable root = t;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == null) {
            return "no detail";
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + oneLine(m));
    }

    /** Azure messages carry CR/LF between their parts (Key Vault's Caller, Action, Vault): one line, parts kept. */
    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    public String operation() {
        return operation;
    }

    public String resource() {
        return resource;
    }

    /** The HTTP status Azure answered; 0 when no answer came. */
    public int status() {
        return status;
    }

    /** Azure's error code ({@code AuthorizationFailed}, {@code ForbiddenByRbac}, ...); null when none came. */
    public String code() {
        return code;
    }

    public Failure failure() {
        return failure;
    }
}
