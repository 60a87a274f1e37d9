package dev.cmek.aws;

import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The live state of the grant and the key, as controls with evidence: for the role (shared by every region), and per
 * region for its key.
 *
 * @param role the role found, or null when it does not exist
 * @param principalControls {@link Control#PRINCIPAL_TRUST} and {@link Control#EXTERNAL_ID}
 */
public record VerifyReport(RoleArn role, List<ControlResult> principalControls, Map<String, RegionControls> regions) {

    /**
     * One region: the key that serves it and its controls.
     *
     * @param newestKeyVersion when the key's newest key material was made (its last rotation, else its creation); null
     *     when the key could not be read
     */
    public record RegionControls(KeyArn key, List<ControlResult> controls, Instant newestKeyVersion) {
        public RegionControls {
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
        principalControls = List.copyOf(principalControls);
        regions = Map.copyOf(regions);
    }

    /** Why the role is not exactly as intended; empty when it is. */
    List<String> principalFindings() {
        return failures(principalControls);
    }

    public boolean roleOk() {
        return principalControls.stream().noneMatch(ControlResult::failed);
    }

    public boolean ok() {
        return roleOk() && regions.values().stream().allMatch(RegionControls::ok);
    }

    private static List<String> failures(List<ControlResult> controls) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        controls.stream().filter(ControlResult::failed).forEach(c -> out.addAll(c.evidence()));
        return List.copyOf(out);
    }
}
