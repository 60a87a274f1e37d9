package dev.cmek.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * The key CockroachDB uses in a region and the principal it authenticates as ({@code CMEKKeySpecification}).
 *
 * @param type where the key lives
 * @param uri AWS: the key ARN; GCP: {@code projects/P/locations/L/keyRings/R/cryptoKeys/K}; Azure: the versioned key
 *     identifier {@code https://V.vault.azure.net/keys/K/VERSION}
 * @param authPrincipal AWS: the cross-account role ARN; GCP: the cross-tenant service account email; Azure: the
 *     customer's tenant id
 */
@JsonPropertyOrder({"type", "uri", "auth_principal"})
public record KeySpec(
        @JsonProperty("type") KeyType type,
        @JsonProperty("uri") String uri,
        @JsonProperty("auth_principal") String authPrincipal) {

    /** Absent fields in an API answer read as an unrecognized type and empty strings, never null. */
    public KeySpec {
        type = Objects.requireNonNullElse(type, KeyType.UNRECOGNIZED);
        uri = Objects.requireNonNullElse(uri, "");
        authPrincipal = Objects.requireNonNullElse(authPrincipal, "");
    }
}
