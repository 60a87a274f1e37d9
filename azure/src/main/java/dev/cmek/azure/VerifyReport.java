package dev.cmek.azure;

import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Whether access is exactly as intended and no broader, and the keys fit to serve, as controls with evidence: for the
 * cluster app's service principal (shared by every region), and per region for its key.
 *
 * @param servicePrincipalId the principal's object id; empty when it does not exist
 * @param principalControls {@link Control#PRINCIPAL_TRUST} and {@link Control#EXTERNAL_ID}
 * @param notChecked what was not read, so could grant access unseen (management groups, deny assignments, ...)
 */
public record VerifyReport(
        Optional<String> servicePrincipalId,
        List<ControlResult> principalControls,
        List<RegionControls> regions,
        List<String> notChecked) {
    public VerifyReport {
        principalControls = List.copyOf(principalControls);
        regions = List.copyOf(regions);
        notChecked = List.copyOf(notChecked);
    }

    /**
     * One region's key and its controls.
     *
     * @param key the key checked (the version CockroachDB uses, when given)
     * @param newestKeyVersion when the key's current version was made (null when the key could not be read)
     */
    public record RegionControls(String region, KeyUri key, List<ControlResult> controls, Instant newestKeyVersion) {
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

    public boolean ok() {
        return principalControls.stream().noneMatch(ControlResult::failed)
                && regions.stream().allMatch(RegionControls::ok);
    }

    public ControlResult principalControl(Control c) {
        return principalControls.stream()
                .filter(r -> r.control() == c)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(c + " not evaluated"));
    }

    private static List<String> failures(List<ControlResult> controls) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        controls.stream().filter(ControlResult::failed).forEach(c -> out.addAll(c.evidence()));
        return List.copyOf(out);
    }
}
