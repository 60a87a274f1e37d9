package dev.cmek.cli;

import dev.cmek.CmekException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where and how keys are made in the customer's cloud; the cluster's cloud picks which options apply. */
public final class CloudOptions {
    @Option(
            names = "--gcp-project",
            paramLabel = "PROJECT",
            description =
                    "GCP: your project that holds the keys and the service account CockroachDB impersonates (default: $CMEK_GCP_PROJECT).")
    String gcpProject;

    @Option(
            names = "--gcp-key-location",
            paramLabel = "LOCATION",
            description =
                    "GCP: one KMS location for every region's key (global, us, ...). Default: a key in each cluster region.")
    String gcpKeyLocation;

    @Option(
            names = "--gcp-protection",
            paramLabel = "LEVEL",
            defaultValue = "SOFTWARE",
            description = "GCP: SOFTWARE (default) or HSM.")
    String gcpProtection;

    @Option(
            names = "--aws-multi-region-key",
            description =
                    "AWS: one multi-region key with a replica in each cluster region, instead of a key per region.")
    boolean awsMultiRegionKey;

    @Option(
            names = "--aws-repair-drift",
            description =
                    "AWS: if our role's trust policy drifted from the exact one, put it back (otherwise it is only reported).")
    boolean awsRepairDrift;

    @Option(
            names = "--propagation-bound",
            paramLabel = "DURATION",
            defaultValue = "2m",
            converter = DurationConverter.class,
            description =
                    "AWS: how long to wait for AWS to catch up with what this run just made (a new role usable in a key policy, a new key, alias or replica visible and Enabled, a policy reading back as written). Default: ${DEFAULT-VALUE}.")
    Duration propagationBound = Duration.ofMinutes(2);

    @Option(
            names = "--existing-key",
            paramLabel = "REGION=URI",
            description =
                    "Use a key you already have for REGION (key ARN or projects/.../cryptoKeys/K); only the grant is added. Repeatable.")
    List<String> existingKeys = List.of();

    /** The existing keys by region; a malformed entry is bad input. */
    Map<String, String> existingKeyMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : existingKeys) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new CmekException.InvalidInput("--existing-key \"" + entry + "\" must be REGION=URI");
            }
            if (map.put(entry.substring(0, eq), entry.substring(eq + 1)) != null) {
                throw new CmekException.InvalidInput(
                        "--existing-key names region " + entry.substring(0, eq) + " twice");
            }
        }
        return map;
    }
}
