package dev.cmek.model;

/** Well-formed key material used across tests. */
public final class Samples {
    public static final String AWS_KEY_EAST =
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    public static final String AWS_KEY_WEST =
            "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
    public static final String AWS_ROLE = "arn:aws:iam::111122223333:role/crdb-cmek-role";
    public static final String GCP_KEY =
            "projects/acme-prod/locations/us-central1/keyRings/crdb-cmek/cryptoKeys/cluster-key";
    public static final String GCP_SA = "crdb-cmek-sa@acme-prod.iam.gserviceaccount.com";
    /** A versioned Key Vault key identifier, as CockroachDB needs it, and the customer's tenant. */
    public static final String AZURE_KEY =
            "https://crdbcmek0e1f2a3beastus.vault.azure.net/keys/crdb-cmek/0123456789abcdef0123456789abcdef";

    public static final String AZURE_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    /** A canonical two-region AWS manifest, exactly as {@link ManifestCodec#format} writes it. */
    public static final String AWS_MANIFEST = """
            {
              "region_specs": [
                {
                  "region": "us-east-1",
                  "key_spec": {
                    "type": "AWS_KMS",
                    "uri": "%s",
                    "auth_principal": "%s"
                  }
                },
                {
                  "region": "us-west-2",
                  "key_spec": {
                    "type": "AWS_KMS",
                    "uri": "%s",
                    "auth_principal": "%s"
                  }
                }
              ]
            }
            """.formatted(AWS_KEY_EAST, AWS_ROLE, AWS_KEY_WEST, AWS_ROLE);

    public static final String GCP_MANIFEST = """
            {
              "region_specs": [
                {
                  "region": "us-central1",
                  "key_spec": {
                    "type": "GCP_CLOUD_KMS",
                    "uri": "%s",
                    "auth_principal": "%s"
                  }
                }
              ]
            }
            """.formatted(GCP_KEY, GCP_SA);

    private Samples() {}

    /** The arguments of {@code cmek manifest build} for the us-east-1 key spec of {@link #AWS_MANIFEST}, then more. */
    public static String[] buildAwsEast(String... more) {
        return concat(
                new String[] {
                    "manifest", "build", "--region", "us-east-1", "--uri", AWS_KEY_EAST, "--principal", AWS_ROLE
                },
                more);
    }

    /** The arguments of {@code cmek manifest build} that make {@link #AWS_MANIFEST}, then more. */
    public static String[] buildAwsManifest(String... more) {
        return buildAwsEast(
                concat(new String[] {"--region", "us-west-2", "--uri", AWS_KEY_WEST, "--principal", AWS_ROLE}, more));
    }

    private static String[] concat(String[] first, String[] then) {
        String[] all = java.util.Arrays.copyOf(first, first.length + then.length);
        System.arraycopy(then, 0, all, first.length, then.length);
        return all;
    }

    /** A one-region manifest around the given key_spec fields. */
    public static String oneRegion(String region, String type, String uri, String principal) {
        return "{\"region_specs\":[{\"region\":\"" + region + "\",\"key_spec\":{\"type\":\"" + type + "\",\"uri\":\""
                + uri + "\",\"auth_principal\":\"" + principal + "\"}}]}";
    }
}
