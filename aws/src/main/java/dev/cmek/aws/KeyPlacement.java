package dev.cmek.aws;

import java.util.Map;

/** Where the cluster's keys live. */
public sealed interface KeyPlacement {

    /** One customer-managed key per region (the default). */
    record PerRegion() implements KeyPlacement {}

    /** One multi-region key, primary in the request's first region, one replica in each other region. */
    record MultiRegion() implements KeyPlacement {}

    /** Keys the customer brings, by region: only our grant is added to their policies, nothing else is touched. */
    record Existing(Map<String, KeyArn> keysByRegion) implements KeyPlacement {
        public Existing {
            keysByRegion = Map.copyOf(keysByRegion);
        }
    }

    static KeyPlacement perRegion() {
        return new PerRegion();
    }

    static KeyPlacement multiRegion() {
        return new MultiRegion();
    }

    static KeyPlacement existing(Map<String, KeyArn> keysByRegion) {
        return new Existing(keysByRegion);
    }
}
