package dev.cmek.aws;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The live state of the grant and the key, as controls with evidence: for the role (shared by every region), and per
 * region for its key.
 *
 * @param role the role found, or null when it does not exist
 * @param roleControls {@link Control#PRINCIPAL_TRUST} and {@link Control#EXTERNAL_ID}
 */
public record VerifyReport(RoleArn role, List<ControlResult> roleControls, Map<String, RegionCheck> regions) {

    /**
     * One region: the key that serves it and its controls.
     *
     * @param newestMaterial when the key's newest key material was made (its last rotation, else its creation); null
     *     when the key could not be read
     */
    public record RegionCheck(KeyArn key, List<ControlResult> controls, Instant newestMaterial) {
        public RegionCheck {
            controls = List.copyOf(controls);
        }

        public boolean ok() {
            return controls.stream().noneMatch(ControlResult::failed);
        }

        /** The evidence of every failed control, in control order. */
        public List<String> findings() {
            return failures(controls);
        }

        public ControlResult control(Control c) {
            return controls.stream()
                    .filter(r -> r.control() == c)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(c + " not evaluated"));
        }
    }

    public VerifyReport {
        roleControls = List.copyOf(roleControls);
        regions = Map.copyOf(regions);
    }

    /** Why the role is not exactly as intended; empty when it is. */
    public List<String> roleFindings() {
        return failures(roleControls);
    }

    public boolean roleOk() {
        return roleControls.stream().noneMatch(ControlResult::failed);
    }

    public boolean ok() {
        return roleOk() && regions.values().stream().allMatch(RegionCheck::ok);
    }

    private static List<String> failures(List<ControlResult> controls) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        controls.stream().filter(ControlResult::failed).forEach(c -> out.addAll(c.evidence()));
        return List.copyOf(out);
    }
}
