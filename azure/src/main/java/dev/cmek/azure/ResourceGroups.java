package dev.cmek.azure;

import com.azure.core.http.HttpMethod;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import java.util.Map;
import java.util.Optional;

/** Resource groups (https://learn.microsoft.com/rest/api/resources/resource-groups), read and created. */
final class ResourceGroups {
    static final String API = "2021-04-01";

    /** A resource group as ARM answers it. */
    record Group(String id, String name, String location, Map<String, String> tags) {}

    private final AzureClients clients;

    ResourceGroups(AzureClients clients) {
        this.clients = clients;
    }

    static String id(String subscriptionId, String name) {
        return "/subscriptions/" + subscriptionId + "/resourceGroups/" + name;
    }

    Optional<Group> find(String subscriptionId, String name) {
        String id = id(subscriptionId, name);
        RestApi.Answer a = clients.arm().get("read resource group", id, id + "?api-version=" + API, 404);
        return a.ok() ? Optional.of(group(a.body())) : Optional.empty();
    }

    Group create(String subscriptionId, String name, String location, Map<String, String> tags) {
        String id = id(subscriptionId, name);
        JsonNode body = Json.object().put("location", location).set("tags", Json.tags(tags));
        return group(clients.arm()
                .call("create resource group", id, HttpMethod.PUT, id + "?api-version=" + API, body)
                .body());
    }

    /**
     * The request's resource group: one we name must carry our tags (else it is not ours: BLOCKED, or
     * {@link NotOursException} when applying); one the user names is used as it is. A missing one is made, with our
     * tags, in the first region.
     */
    Change ensure(AzureCmekRequest req, boolean apply, Optional<Group> found) {
        String id = id(req.subscriptionId(), req.resourceGroup());
        if (found.isPresent()) {
            if (!req.resourceGroupNamed() && !CmekNames.isOurs(found.get().tags(), req.clusterId())) {
                if (apply) {
                    throw new NotOursException("resource group " + id, CmekNames.mark(req.clusterId()));
                }
                return change(
                        id,
                        Action.BLOCKED,
                        "exists without our tags " + CmekNames.mark(req.clusterId())
                                + ": never adopted; give another with --azure-resource-group");
            }
            return change(id, Action.UNCHANGED, req.resourceGroupNamed() ? "named by you: used as it is" : "");
        }
        if (apply) {
            create(req.subscriptionId(), req.resourceGroup(), req.homeRegion(), CmekNames.groupTags(req.clusterId()));
        }
        return change(id, Action.created(apply), "in " + req.homeRegion());
    }

    private static Change change(String id, Action action, String detail) {
        return new Change(AzureResource.RESOURCE_GROUP, id, null, action, detail);
    }

    private static Group group(JsonNode n) {
        return new Group(Json.text(n, "id"), Json.text(n, "name"), Json.text(n, "location"), Json.tags(n.get("tags")));
    }
}
