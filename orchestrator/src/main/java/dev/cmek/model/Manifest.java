package dev.cmek.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code cmek_config.json} manifest: one key spec per region, in a stable order. It is exactly the body
 * CockroachDB's enable call takes ({@code CMEKClusterSpecification}).
 */
public record Manifest(@JsonProperty("region_specs") List<RegionSpec> regionSpecs) {

    public Manifest {
        regionSpecs = List.copyOf(regionSpecs);
    }

    /** The regions in manifest order. */
    public List<String> regions() {
        return regionSpecs.stream().map(RegionSpec::region).toList();
    }

    public Optional<RegionSpec> find(String region) {
        return regionSpecs.stream().filter(s -> s.region().equals(region)).findFirst();
    }

    /** Region name to key spec, in manifest order. */
    public Map<String, KeySpec> byRegion() {
        Map<String, KeySpec> map = new LinkedHashMap<>();
        regionSpecs.forEach(s -> map.put(s.region(), s.keySpec()));
        return map;
    }

    /** Only the given regions, in manifest order. */
    public Manifest only(List<String> regions) {
        return new Manifest(
                regionSpecs.stream().filter(s -> regions.contains(s.region())).toList());
    }
}
