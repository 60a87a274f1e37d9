package dev.cmek.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The caller's organization; its id is the external id AWS trust policies require. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Organization(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("label") String label) {}
