package dev.cmek.aws;

import java.util.List;
import java.util.Map;

/** The live state of the grant, checked against the intent: per region, and for the role's trust. */
public record VerifyReport(RoleArn role, List<String> roleFindings, Map<String, RegionCheck> regions) {

    /** One region: the key that serves it and why its grant is not exactly as intended (empty when it is). */
    public record RegionCheck(KeyArn key, List<String> findings) {
        public RegionCheck {
            findings = List.copyOf(findings);
        }

        public boolean ok() {
            return findings.isEmpty();
        }
    }

    public VerifyReport {
        roleFindings = List.copyOf(roleFindings);
        regions = Map.copyOf(regions);
    }

    public boolean roleOk() {
        return roleFindings.isEmpty();
    }

    public boolean ok() {
        return roleOk() && regions.values().stream().allMatch(RegionCheck::ok);
    }
}
