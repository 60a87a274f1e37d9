package dev.cmek.azure;

/**
 * The cluster app has no service principal in the customer's tenant and these credentials may not create one: an
 * administrator must consent at {@link #url()} first. Raised before anything was created or changed.
 */
public final class ConsentRequiredException extends AzureCmekException {
    private final String url;

    public ConsentRequiredException(String tenantId, String appId, String why) {
        super("CockroachDB's app " + appId + " has no service principal in tenant " + tenantId
                + " and these credentials may not create one (" + why + "): have an administrator of the tenant open "
                + consentUrl(tenantId, appId) + " and accept (or grant the caller Application.ReadWrite.All), then run"
                + " the same command again; nothing was changed.");
        this.url = consentUrl(tenantId, appId);
    }

    /** https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent#construct-the-url-for-granting-tenant-wide-admin-consent */
    static String consentUrl(String tenantId, String appId) {
        return "https://login.microsoftonline.com/" + tenantId + "/adminconsent?client_id=" + appId;
    }

    /** The admin-consent URL an administrator of the tenant opens. */
    public String url() {
        return url;
    }
}
