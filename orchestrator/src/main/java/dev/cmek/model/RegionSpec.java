package dev.cmek.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/** The key spec for one cluster region ({@code CMEKRegionSpecification}). */
@JsonPropertyOrder({"region", "key_spec"})
public record RegionSpec(
        @JsonProperty("region") String region,
        @JsonProperty("key_spec") KeySpec keySpec) {

    public RegionSpec {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(keySpec, "keySpec");
    }
}
