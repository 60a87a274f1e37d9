package dev.cmek.model;

import static dev.cmek.model.Samples.AWS_KEY_EAST;
import static dev.cmek.model.Samples.AWS_ROLE;
import static dev.cmek.model.Samples.AZURE_KEY;
import static dev.cmek.model.Samples.AZURE_TENANT;
import static dev.cmek.model.Samples.GCP_KEY;
import static dev.cmek.model.Samples.GCP_SA;
import static dev.cmek.model.Samples.oneRegion;

import java.util.List;

/** Manifests that must be refused before anything is sent, each with the words its one-line error must hold. */
public final class BadManifests {

    /** @param expected a fragment the error message must contain */
    public record Case(String name, String json, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String GOOD_SPEC =
            "{\"type\":\"AWS_KMS\",\"uri\":\"" + AWS_KEY_EAST + "\",\"auth_principal\":\"" + AWS_ROLE + "\"}";

    public static List<Case> all() {
        return List.of(
                new Case("truncated JSON", "{\"region_specs\": [", "malformed JSON at line 1"),
                new Case("empty file", "", "empty file"),
                new Case(
                        "duplicate JSON field",
                        "{\"region_specs\":[],\"region_specs\":[]}",
                        "Duplicate field 'region_specs'"),
                new Case(
                        "trailing document",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":" + GOOD_SPEC + "}]} {}",
                        "more than one JSON document"),
                new Case("top level is an array", "[]", "the document: expected an object, found an array"),
                new Case("missing region_specs", "{}", "missing field region_specs"),
                new Case(
                        "unknown top-level field",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":" + GOOD_SPEC
                                + "}],\"cluster\":\"x\"}",
                        "cluster: unknown field"),
                new Case(
                        "region_specs is an object",
                        "{\"region_specs\":{}}",
                        "region_specs: expected an array, found an object"),
                new Case("region_specs is empty", "{\"region_specs\":[]}", "region_specs is empty"),
                new Case(
                        "region spec is a string",
                        "{\"region_specs\":[\"us-east-1\"]}",
                        "region_specs[0]: expected an object, found a string"),
                new Case(
                        "missing region",
                        "{\"region_specs\":[{\"key_spec\":" + GOOD_SPEC + "}]}",
                        "region_specs[0].region: missing"),
                new Case(
                        "region is a number",
                        "{\"region_specs\":[{\"region\":1,\"key_spec\":" + GOOD_SPEC + "}]}",
                        "region_specs[0].region: expected a string, found a number"),
                new Case(
                        "empty region",
                        oneRegion("", "AWS_KMS", AWS_KEY_EAST, AWS_ROLE),
                        "region_specs[0].region: empty"),
                new Case(
                        "region with spaces",
                        oneRegion("US East", "AWS_KMS", AWS_KEY_EAST, AWS_ROLE),
                        "is not a cloud region name"),
                new Case(
                        "duplicate region",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":" + GOOD_SPEC
                                + "},{\"region\":\"us-east-1\",\"key_spec\":" + GOOD_SPEC + "}]}",
                        "region_specs[1].region: duplicate region \"us-east-1\""),
                new Case(
                        "missing key_spec",
                        "{\"region_specs\":[{\"region\":\"us-east-1\"}]}",
                        "region_specs[0]: missing field key_spec"),
                new Case(
                        "key_spec is a string",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":\"" + AWS_KEY_EAST + "\"}]}",
                        "key_spec: expected an object, found a string"),
                new Case(
                        "unknown field in region spec",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"keyspec\":" + GOOD_SPEC + "}]}",
                        "region_specs[0].keyspec: unknown field"),
                new Case(
                        "unknown field in key spec",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":{\"type\":\"AWS_KMS\",\"uri\":\""
                                + AWS_KEY_EAST + "\",\"auth_principal\":\"" + AWS_ROLE + "\",\"kms_uri\":\"x\"}}]}",
                        "key_spec.kms_uri: unknown field"),
                new Case(
                        "missing type",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":{\"uri\":\"" + AWS_KEY_EAST
                                + "\",\"auth_principal\":\"" + AWS_ROLE + "\"}}]}",
                        "key_spec.type: missing"),
                new Case(
                        "unknown type",
                        oneRegion("us-east-1", "AWS", AWS_KEY_EAST, AWS_ROLE),
                        "unknown key type \"AWS\""),
                new Case(
                        "lower-case type",
                        oneRegion("us-east-1", "aws_kms", AWS_KEY_EAST, AWS_ROLE),
                        "unknown key type \"aws_kms\""),
                new Case(
                        "null uri",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":{\"type\":\"AWS_KMS\",\"uri\":null,\"auth_principal\":\""
                                + AWS_ROLE + "\"}}]}",
                        "key_spec.uri: missing"),
                new Case(
                        "uri is a number",
                        "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":{\"type\":\"AWS_KMS\",\"uri\":7,\"auth_principal\":\""
                                + AWS_ROLE + "\"}}]}",
                        "key_spec.uri: expected a string, found a number"),
                new Case(
                        "AWS uri is a key id",
                        oneRegion("us-east-1", "AWS_KMS", "1234abcd-12ab-34cd-56ef-1234567890ab", AWS_ROLE),
                        "is not a KMS key ARN"),
                new Case(
                        "AWS uri is an alias ARN",
                        oneRegion("us-east-1", "AWS_KMS", "arn:aws:kms:us-east-1:111122223333:alias/crdb", AWS_ROLE),
                        "is an alias ARN"),
                new Case(
                        "AWS uri is an S3 ARN",
                        oneRegion("us-east-1", "AWS_KMS", "arn:aws:s3:::my-bucket", AWS_ROLE),
                        "is not a KMS key ARN"),
                new Case(
                        "AWS uri with short account",
                        oneRegion(
                                "us-east-1",
                                "AWS_KMS",
                                "arn:aws:kms:us-east-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                AWS_ROLE),
                        "is not a KMS key ARN"),
                new Case(
                        "AWS principal is a user",
                        oneRegion("us-east-1", "AWS_KMS", AWS_KEY_EAST, "arn:aws:iam::111122223333:user/bob"),
                        "is not an IAM role ARN"),
                new Case(
                        "AWS principal is empty",
                        oneRegion("us-east-1", "AWS_KMS", AWS_KEY_EAST, ""),
                        "is not an IAM role ARN"),
                new Case(
                        "GCP uri names a version",
                        oneRegion("us-central1", "GCP_CLOUD_KMS", GCP_KEY + "/cryptoKeyVersions/1", GCP_SA),
                        "names a key version"),
                new Case(
                        "GCP uri without key ring",
                        oneRegion(
                                "us-central1",
                                "GCP_CLOUD_KMS",
                                "projects/acme-prod/locations/us-central1/cryptoKeys/k",
                                GCP_SA),
                        "is not a Cloud KMS key name"),
                new Case(
                        "GCP principal with member prefix",
                        oneRegion("us-central1", "GCP_CLOUD_KMS", GCP_KEY, "serviceAccount:" + GCP_SA),
                        "without the serviceAccount: prefix"),
                new Case(
                        "GCP principal is a user",
                        oneRegion("us-central1", "GCP_CLOUD_KMS", GCP_KEY, "alice@example.com"),
                        "is not a service account email"),
                new Case(
                        "GCP key with an AWS principal",
                        oneRegion("us-central1", "GCP_CLOUD_KMS", GCP_KEY, AWS_ROLE),
                        "is not a service account email"),
                new Case(
                        "AWS type with a GCP key",
                        oneRegion("us-east-1", "AWS_KMS", GCP_KEY, AWS_ROLE),
                        "is not a KMS key ARN"),
                new Case(
                        "Azure key without a version",
                        oneRegion(
                                "eastus",
                                "AZURE_KEY_VAULT",
                                "https://crdbcmek0e1f2a3beastus.vault.azure.net/keys/crdb-cmek",
                                AZURE_TENANT),
                        "names no key version"),
                new Case(
                        "Azure key that is not a Key Vault URL",
                        oneRegion("eastus", "AZURE_KEY_VAULT", "https://example.com/keys/k/1", AZURE_TENANT),
                        "is not an Azure Key Vault key identifier"),
                new Case(
                        "Azure principal that is not a tenant id",
                        oneRegion("eastus", "AZURE_KEY_VAULT", AZURE_KEY, "acme.onmicrosoft.com"),
                        "is not an Azure tenant id"),
                new Case("NULL_KMS", oneRegion("us-east-1", "NULL_KMS", "null", "null"), "internal test type"));
    }

    private BadManifests() {}
}
