package dev.cmek.workflow;

import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Verdict;
import dev.cmek.model.KeySpec;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the CMEK status tells the controls: each region's own status, and the keys CockroachDB used before. */
public final class CockroachControls {
    private CockroachControls() {}

    /** {@link Control#CRDB_STATUS} for each region of the status: PASS only when CockroachDB reports it ENABLED. */
    public static Map<String, ControlResult> status(String clusterId, CmekClusterInfo info) {
        Map<String, ControlResult> out = new LinkedHashMap<>();
        for (CmekClusterInfo.RegionInfo r : info.regionInfos()) {
            String message = r.latestKey()
                    .map(CmekClusterInfo.KeyInfo::userMessage)
                    .filter(m -> m != null && !m.isBlank())
                    .map(m -> ": " + m)
                    .orElse("");
            String evidence = "CockroachDB reports region " + r.region() + " " + r.status() + message;
            if (r.status() == CmekStatus.ENABLED) {
                out.put(r.region(), new ControlResult(Control.CRDB_STATUS, Verdict.PASS, List.of(evidence), null));
            } else {
                out.put(
                        r.region(),
                        new ControlResult(
                                Control.CRDB_STATUS, Verdict.FAIL, List.of(evidence), fix(clusterId, r.status())));
            }
        }
        return out;
    }

    private static String fix(String clusterId, CmekStatus status) {
        return switch (status) {
            case REVOKED, REVOKING ->
                "after `cmek restore --evidence DIR` put the grants back, ask CockroachDB support to restore CMEK access"
                        + " for cluster " + clusterId;
            case ENABLING, ROTATING, DISABLING -> "wait for it to settle: `cmek status --cluster " + clusterId + "`";
            case ENABLE_FAILED, ROTATE_FAILED ->
                "fix what the message names (usually the key's grant), then `cmek rotate --cluster " + clusterId
                        + " --rewrap` submits the same key again";
            default -> "`cmek status --cluster " + clusterId + "` shows what CockroachDB reports";
        };
    }

    /** The URIs of keys CockroachDB used before (key infos other than the current one of their region). */
    public static Set<String> formerUris(CmekClusterInfo info) {
        Map<String, KeySpec> current = CmekLifecycle.currentSpecs(info);
        Set<String> out = new LinkedHashSet<>();
        for (CmekClusterInfo.RegionInfo r : info.regionInfos()) {
            for (CmekClusterInfo.KeyInfo k : r.keyInfos()) {
                if (k.spec() != null && !k.spec().equals(current.get(r.region()))) {
                    out.add(k.spec().uri());
                }
            }
        }
        current.values().forEach(s -> out.remove(s.uri()));
        return out;
    }
}
