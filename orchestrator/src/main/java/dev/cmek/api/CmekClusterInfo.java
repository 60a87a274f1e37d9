package dev.cmek.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cmek.model.KeySpec;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** CMEK status of a cluster and of each of its regions ({@code CMEKClusterInfo}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CmekClusterInfo(
        @JsonProperty("status") CmekStatus status,
        @JsonProperty("region_infos") List<RegionInfo> regionInfos) {

    public CmekClusterInfo {
        status = Objects.requireNonNullElse(status, CmekStatus.UNRECOGNIZED);
        regionInfos = regionInfos == null ? List.of() : List.copyOf(regionInfos);
    }

    public Optional<RegionInfo> region(String name) {
        return regionInfos.stream().filter(r -> name.equals(r.region())).findFirst();
    }

    /** One region: its status and every key it has used, current and past. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RegionInfo(
            @JsonProperty("region") String region,
            @JsonProperty("status") CmekStatus status,
            @JsonProperty("key_infos") List<KeyInfo> keyInfos) {

        public RegionInfo {
            status = Objects.requireNonNullElse(status, CmekStatus.UNRECOGNIZED);
            keyInfos = keyInfos == null ? List.of() : List.copyOf(keyInfos);
        }

        /** The most recently updated key: the one the region's status is about. */
        public Optional<KeyInfo> latestKey() {
            return keyInfos.stream().max(Comparator.comparing(k -> Objects.requireNonNullElse(k.updatedAt(), "")));
        }

        /** The key spec in use: the latest key whose status is not a past key's DISABLED. */
        public Optional<KeySpec> currentSpec() {
            return keyInfos.stream()
                    .filter(k -> k.status() != CmekStatus.DISABLED)
                    .max(Comparator.comparing(k -> Objects.requireNonNullElse(k.createdAt(), "")))
                    .map(KeyInfo::spec);
        }
    }

    /** A key spec and its status; {@code userMessage} explains failures. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KeyInfo(
            @JsonProperty("spec") KeySpec spec,
            @JsonProperty("status") CmekStatus status,
            @JsonProperty("user_message") String userMessage,
            @JsonProperty("created_at") String createdAt,
            @JsonProperty("updated_at") String updatedAt) {

        public KeyInfo {
            status = Objects.requireNonNullElse(status, CmekStatus.UNRECOGNIZED);
        }
    }
}
