package dev.cmek.azure;

/** A subscription's tenant (https://learn.microsoft.com/rest/api/resources/subscriptions/get). */
final class Subscriptions {
    static final String API = "2022-12-01";

    private Subscriptions() {}

    static String tenantOf(AzureClients clients, String subscriptionId) {
        String id = "/subscriptions/" + subscriptionId;
        return Json.text(
                clients.arm()
                        .get("read subscription", id, id + "?api-version=" + API)
                        .body(),
                "tenantId");
    }
}
