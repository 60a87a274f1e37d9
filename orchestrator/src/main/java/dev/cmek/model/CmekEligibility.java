package dev.cmek.model;

import dev.cmek.CmekException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a cluster can take CMEK at all, as far as the Cloud API's {@code Cluster} shows it: checked before any key
 * or principal is made in a cloud, since a key made for a cluster that can never use it is billed until someone
 * removes it, and this toolkit never deletes keys.
 *
 * <p>CockroachDB's prerequisites: the ADVANCED plan, a private cluster, on AWS, GCP or Azure
 * (https://www.cockroachlabs.com/docs/cockroachcloud/managing-cmek#prerequisites). The API's {@code Cluster} schema has
 * {@code plan} (required), {@code state} (required) and {@code network_visibility} (optional; the spec's own example
 * omits it): an absent visibility is not held against a cluster, the API refuses enable itself if it must. The
 * "advanced security features chosen at creation" are not in the schema and cannot be checked here.
 */
public final class CmekEligibility {
    private CmekEligibility() {}

    /**
     * Every reason the cluster cannot use CMEK through this toolkit, in words; empty when it can.
     *
     * @param state the cluster's {@code state} as the API names it, e.g. {@code CREATED}
     * @param networkVisibility {@code PUBLIC}, {@code PRIVATE}, or null when the API did not say
     */
    public static List<String> problems(CloudProvider cloud, String plan, String state, String networkVisibility) {
        List<String> problems = new ArrayList<>();
        if (!"ADVANCED".equals(plan)) {
            problems.add("it is on the " + (plan == null ? "(unknown)" : plan) + " plan (CMEK needs ADVANCED)");
        }
        if (!"CREATED".equals(state)) {
            problems.add("its state is " + state + " (CMEK needs CREATED"
                    + ("CREATING".equals(state) || "LOCKED".equals(state) ? ": wait for it and run this again" : "")
                    + ")");
        }
        if (networkVisibility != null && !"PRIVATE".equals(networkVisibility)) {
            problems.add("its network visibility is " + networkVisibility + " (CMEK needs a PRIVATE cluster)");
        }
        if (!CloudProvider.SERVED.contains(cloud)) {
            problems.add("it runs on " + cloud + " (this toolkit makes keys on AWS, GCP and Azure)");
        }
        return problems;
    }

    /** Throws a one-line bad-input error naming every problem, before anything is made. */
    public static void require(
            String clusterId, CloudProvider cloud, String plan, String state, String networkVisibility) {
        List<String> problems = problems(cloud, plan, state, networkVisibility);
        if (!problems.isEmpty()) {
            throw new CmekException.InvalidInput("cluster " + clusterId + " cannot use CMEK: "
                    + String.join("; ", problems) + "; nothing was created");
        }
    }
}
