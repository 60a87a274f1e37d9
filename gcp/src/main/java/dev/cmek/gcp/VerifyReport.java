package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Whether access is exactly as intended and no broader, and the keys fit to serve, as controls with evidence: for the
 * service account (shared by every region), and per region for its key.
 *
 * @param principalControls {@link Control#PRINCIPAL_TRUST} and {@link Control#EXTERNAL_ID}
 * @param notChecked what could not be read, so could grant access unseen (folder and organization policies, a policy
 *     the credentials may not read)
 */
public record VerifyReport(
        ServiceAccountEmail serviceAccount,
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
     * @param newestKeyVersion when the key's primary version was made (null when the key could not be read)
     */
    public record RegionControls(
            String region, CryptoKeyName key, List<ControlResult> controls, Instant newestKeyVersion) {
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

    /** Why the service account is not exactly as intended; empty when it is. */
    List<String> serviceAccountFindings() {
        return failures(principalControls);
    }

    public boolean ok() {
        return principalControls.stream().noneMatch(ControlResult::failed)
                && regions.stream().allMatch(RegionControls::ok);
    }

    private static List<String> failures(List<ControlResult> controls) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        controls.stream().filter(ControlResult::failed).forEach(c -> out.addAll(c.evidence()));
        return List.copyOf(out);
    }
}
