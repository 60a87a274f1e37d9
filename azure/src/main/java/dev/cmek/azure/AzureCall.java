package dev.cmek.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.identity.CredentialUnavailableException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an Azure SDK failure becomes the adapter's. Nothing is retried here: {@link CallRetry} is the one retry layer;
 * this names the operation, the resource and the endpoint, and tells a missing credential from a missing permission
 * from an endpoint that does not answer.
 */
final class AzureCall {
    private static final Pattern AADSTS =
            Pattern.compile("AADSTS\\d+:[^\\r\\n]*?(?:\\.(?=\\s|$)|$)", Pattern.MULTILINE);

    private AzureCall() {}

    /** Runs a Key Vault call, turning any failure but the answers in {@code expected} into the adapter's exception. */
    static <T> T keyVault(AzureClients clients, String operation, KeyUri key, Supplier<T> call, int... expected) {
        try {
            return call.get();
        } catch (HttpResponseException e) {
            if (e.getResponse() != null) {
                for (int s : expected) {
                    if (s == e.getResponse().getStatusCode()) {
                        throw e;
                    }
                }
            }
            throw failure(
                    clients,
                    CallFailedException.Service.KEY_VAULT,
                    operation,
                    key.toString(),
                    key.vaultName() + KeyUri.HOST_SUFFIX,
                    e);
        } catch (ReplyLostException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(
                    clients,
                    CallFailedException.Service.KEY_VAULT,
                    operation,
                    key.toString(),
                    key.vaultName() + KeyUri.HOST_SUFFIX,
                    e);
        }
    }

    /** The adapter's exception for whatever an Azure call threw. */
    static AzureCmekException failure(
            AzureClients clients,
            CallFailedException.Service service,
            String operation,
            String resource,
            String host,
            Throwable e) {
        if (e instanceof AzureCmekException a) {
            return a;
        }
        if (e instanceof CredentialUnavailableException || hasCause(e, CredentialUnavailableException.class)) {
            // Nothing in DefaultAzureCredential's chain applied (the managed identity probe's unanswered endpoint
            // included): no credentials, not an unreachable service.
            return new NoCredentialsException(
                    "no Azure credentials found (tried " + AzureClients.TRIED + "): set one of them, for example with"
                            + " az login, then run the same command again.",
                    e);
        }
        if (managedIdentityFailed(e)) {
            // No credential of the environment's, so DefaultAzureCredential asked the managed identity endpoint, and
            // something there answered without a token (a VM of another cloud, a proxy): still no credentials.
            return new NoCredentialsException(
                    clients.redacted("no Azure credentials found (tried " + AzureClients.TRIED
                            + "; the managed identity endpoint gave no token: " + CallFailedException.reason(e)
                            + "): set one of them, for example with az login, then run the same command again."),
                    e);
        }
        boolean token = fromTokenRequest(e);
        if (CallRetry.unreachable(e)) {
            String endpoint =
                    token ? "Entra ID's token endpoint (AZURE_AUTHORITY_HOST, else login.microsoftonline.com)" : host;
            return redacted(
                    clients, CallFailedException.unreachable(operation, resource, clients.endpoint(endpoint), e));
        }
        if (token && entraReason(e).startsWith("AADSTS50049:")) {
            // Instance discovery: Entra does not know the authority host, so MSAL sent it no secret.
            return new NoCredentialsException(
                    clients.redacted("Entra ID does not know the authority host in AZURE_AUTHORITY_HOST ("
                            + entraReason(e) + "): check it; for a private cloud's authority that you trust, set "
                            + AzureClients.DISABLE_INSTANCE_DISCOVERY_ENV + "=true, then run the same command again."),
                    e);
        }
        if (token) {
            return new NoCredentialsException(
                    clients.redacted("Entra ID refused the Azure credentials (" + entraReason(e) + "): check"
                            + " AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or certificate (or sign in again with az"
                            + " login), then run the same command again."),
                    e);
        }
        if (e instanceof HttpResponseException h && h.getResponse() != null) {
            JsonNode body = Json.parse(jsonIn(h.getMessage()));
            JsonNode error = body.path("error");
            String code = Json.text(error, "code");
            JsonNode inner = error.has("innererror") ? error.get("innererror") : error.path("innerError");
            String innerCode = Json.text(inner, "code");
            String message = error.isMissingNode() ? h.getMessage() : Json.text(error, "message");
            return answered(
                    clients,
                    service,
                    operation,
                    resource,
                    h.getResponse().getStatusCode(),
                    innerCode != null ? code + "/" + innerCode : code,
                    message);
        }
        if (e instanceof ReplyLostException) {
            return redacted(
                    clients,
                    CallFailedException.replyLost(operation, resource, "check " + resource + " before acting", e));
        }
        return redacted(
                clients,
                new CallFailedException(
                        operation,
                        resource,
                        0,
                        null,
                        CallFailedException.Failure.UNAVAILABLE,
                        operation + " on " + resource + " failed without an answer from " + clients.endpoint(host)
                                + " (" + CallFailedException.reason(e)
                                + "): run the same command again; it is idempotent.",
                        e));
    }

    /** An error answer the caller did not expect, as the adapter's exception. */
    static CallFailedException answered(
            AzureClients clients,
            CallFailedException.Service service,
            String operation,
            String resource,
            int status,
            String code,
            String message) {
        return redacted(clients, CallFailedException.answered(service, operation, resource, status, code, message));
    }

    private static CallFailedException redacted(AzureClients clients, CallFailedException e) {
        String m = clients.redacted(e.getMessage());
        if (m.equals(e.getMessage())) {
            return e;
        }
        return new CallFailedException(e.operation(), e.resource(), e.status(), e.code(), e.failure(), m, e.getCause());
    }

    /** Whether the failure came from getting a token (identity or MSAL), not from the service called. */
    static boolean fromTokenRequest(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if ((c instanceof ClientAuthenticationException a && a.getResponse() == null)
                    || c.getClass().getName().startsWith("com.microsoft.aad.msal4j.")) {
                return true;
            }
        }
        return false;
    }

    private static boolean managedIdentityFailed(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClientAuthenticationException
                    && c.getMessage() != null
                    && c.getMessage().contains("ManagedIdentityCredential authentication failed")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Entra's {@code AADSTS<code>: <first sentence>}, or the innermost message. */
    static String entraReason(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null) {
                Matcher m = AADSTS.matcher(c.getMessage());
                if (m.find()) {
                    return m.group().strip();
                }
            }
        }
        return CallFailedException.reason(e);
    }

    /** The JSON body an SDK exception message carries ({@code Status code 403, "{...}"}). */
    private static String jsonIn(String message) {
        if (message == null) {
            return null;
        }
        int from = message.indexOf('{');
        int to = message.lastIndexOf('}');
        return from < 0 || to < from ? null : message.substring(from, to + 1);
    }
}
