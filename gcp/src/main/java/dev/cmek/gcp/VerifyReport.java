package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import java.util.List;

/**
 * Whether access is exactly as intended and no broader: findings on the service account, and per region on its key.
 * A region is ok only when its key and the service account both have no findings.
 *
 * @param notChecked what could not be read, so could grant access unseen (folder and organization policies, a policy
 *     the credentials may not read)
 */
public record VerifyReport(
        ServiceAccountEmail serviceAccount,
        List<String> serviceAccountFindings,
        List<RegionVerification> regions,
        List<String> notChecked) {
    public VerifyReport {
        serviceAccountFindings = List.copyOf(serviceAccountFindings);
        regions = List.copyOf(regions);
        notChecked = List.copyOf(notChecked);
    }

    /** One region's key and whether CockroachDB's access to it is exactly as intended. */
    public record RegionVerification(String region, CryptoKeyName key, boolean ok, List<String> findings) {
        public RegionVerification {
            findings = List.copyOf(findings);
        }
    }

    public boolean ok() {
        return serviceAccountFindings.isEmpty() && regions.stream().allMatch(RegionVerification::ok);
    }
}
