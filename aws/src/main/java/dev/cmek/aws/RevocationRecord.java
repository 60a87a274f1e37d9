package dev.cmek.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;

/**
 * What a revocation removed, with every document before and after, enough to put back exactly what was removed.
 * Serialises with Jackson as is; keep it with the incident.
 *
 * @param revokedBy the caller identity ARN (STS) that made the change
 * @param role the role's trust policy before and after, and the inline deny added (null when not asked for)
 * @param keys one entry per key policy changed (every replica has its own)
 * @param notes what was deliberately not touched (e.g. a role of our name that is not ours)
 */
public record RevocationRecord(
        ClusterId clusterId,
        Instant revokedAt,
        String revokedBy,
        RoleRevocation role,
        List<KeyRevocation> keys,
        List<String> notes) {

    /** Trust documents as IAM returned them (decoded) and as written. */
    public record RoleRevocation(
            RoleArn role,
            String trustBefore,
            String trustAfter,
            String sessionDenyPolicyName,
            String sessionDenyPolicy) {}

    public record KeyRevocation(String region, KeyArn key, String policyBefore, String policyAfter) {}

    public RevocationRecord {
        keys = List.copyOf(keys);
        notes = List.copyOf(notes);
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** The record as indented JSON (timestamps as ISO-8601). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new AwsCmekException("cannot serialise the revocation record: " + e.getOriginalMessage(), e);
        }
    }

    public static RevocationRecord fromJson(String json) {
        try {
            return JSON.readValue(json, RevocationRecord.class);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(
                    "revocation record",
                    json.length() > 200 ? json.substring(0, 200) + "..." : json,
                    "the JSON written by RevocationRecord.toJson (" + e.getOriginalMessage() + ")");
        }
    }
}
