package dev.cmek.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.model.KeySpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The same CMEK status facts as a JSON document and as text lines. */
final class StatusView {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Document(
            @JsonProperty("cluster_id") String clusterId,
            @JsonProperty("action") String action,
            @JsonProperty("status") CmekStatus status,
            @JsonProperty("regions") List<RegionLine> regions,
            @JsonProperty("next_step") String nextStep) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RegionLine(
            @JsonProperty("region") String region,
            @JsonProperty("status") CmekStatus status,
            @JsonProperty("key_spec") KeySpec keySpec,
            @JsonProperty("user_message") String userMessage) {}

    private StatusView() {}

    static Document document(String clusterId, String action, CmekClusterInfo info) {
        // Sorted by name whatever order the API lists them in, as plan, the manifest and verify list them.
        List<RegionLine> regions = info.regionInfos().stream()
                .sorted(Comparator.comparing(CmekClusterInfo.RegionInfo::region))
                .map(r -> new RegionLine(
                        r.region(),
                        r.status(),
                        r.currentSpec().orElse(null),
                        r.latestKey()
                                .map(CmekClusterInfo.KeyInfo::userMessage)
                                .filter(m -> m != null && !m.isBlank())
                                .orElse(null)))
                .toList();
        return new Document(clusterId, action, info.status(), regions, nextStep(clusterId, info.status()));
    }

    /** What to run next where the status leaves one obvious step: a cluster without CMEK gets it enabled. */
    private static String nextStep(String clusterId, CmekStatus status) {
        return status == CmekStatus.DISABLED ? "cmek enable --cluster " + clusterId + " --provision" : null;
    }

    static List<String> lines(Document doc) {
        List<String> lines = new ArrayList<>();
        lines.add("cluster " + doc.clusterId()
                + (doc.action() == null ? "" : ": " + doc.action().toLowerCase().replace('_', ' ')) + ", CMEK "
                + doc.status());
        for (RegionLine r : doc.regions()) {
            lines.add(String.format(
                    "  %-24s %-15s %s",
                    r.region(),
                    r.status(),
                    r.keySpec() == null
                            ? "-"
                            : r.keySpec().uri() + " as " + r.keySpec().authPrincipal()));
            if (r.userMessage() != null) {
                lines.add("  " + " ".repeat(24) + " message: " + r.userMessage());
            }
        }
        if (doc.nextStep() != null) {
            lines.add("next: `cmek plan --cluster " + doc.clusterId() + "` shows the keys, principal and grant it would"
                    + " make; `" + doc.nextStep() + "` makes them and enables CMEK (or `cmek enable --cluster "
                    + doc.clusterId() + " --manifest FILE` with keys you have)");
        }
        return lines;
    }
}
