package dev.cmek.azure;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cmek.core.Outcome;
import dev.cmek.core.ResourceKind;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;

/**
 * What a revocation meant to remove and what became of each document, enough to put back exactly what was removed.
 * Each {@link Intent} is handed out (and kept by the caller) before the first write to its document; each
 * {@link Outcome} says how that document ended in this run. Keep the intents with the incident ({@link Intent#toJson});
 * {@link AzureCmek#restore} puts back exactly what they say was removed.
 *
 * @param clusterAppId the cluster app's client id (given, or read from our vaults' tags); null when neither knew it
 * @param servicePrincipalId its service principal's object id; null when none was found
 * @param revokedBy who acted: the caller's identity as its ARM token names it
 * @param dryRun nothing was written; the outcomes say what would have been
 * @param notes what was deliberately not touched, or could not be found, and why
 */
public record RevocationRecord(
        String clusterId,
        String tenantId,
        String subscriptionId,
        String clusterAppId,
        String servicePrincipalId,
        String revokedBy,
        Instant startedAt,
        boolean dryRun,
        List<Intent> intents,
        List<Outcome> outcomes,
        List<String> notes) {

    public RevocationRecord {
        intents = List.copyOf(intents);
        outcomes = List.copyOf(outcomes);
        notes = List.copyOf(notes);
    }

    /** What an Azure revocation changes. */
    public enum Document implements ResourceKind {
        /** The cluster app's service principal may no longer sign in: the master switch, written first and alone. */
        SERVICE_PRINCIPAL("service principal sign-in"),
        /** A role assignment of that principal on a key (or, with the broader role, on a vault): deleted. */
        ROLE_ASSIGNMENT("role assignment");

        private final String words;

        Document(String words) {
            this.words = words;
        }

        @Override
        public String words() {
            return words;
        }
    }

    /**
     * A document as read before its first write: exactly what restore needs to put it back.
     *
     * @param resource the service principal ({@code servicePrincipals/<object id>}) or the role assignment's id
     * @param region the region of the key or vault; null for the principal
     * @param signIn for {@link Document#SERVICE_PRINCIPAL}: the principal and its sign-in before
     * @param assignment for {@link Document#ROLE_ASSIGNMENT}: the assignment as read
     */
    public record Intent(
            Document document, String resource, String region, SignIn signIn, Assignment assignment, Instant at) {

        /**
         * The intent as one line of JSON, as the caller keeps it: the same text Jackson's data binding writes for this
         * record (tested), written field by field, because the intent is the last thing kept before a document's first
         * write and data binding's first use costs a cold process tens of milliseconds there.
         */
        public String toJson() {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = GENERATORS.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("document", document == null ? null : document.name());
                g.writeStringField("resource", resource);
                g.writeStringField("region", region);
                if (signIn == null) {
                    g.writeNullField("signIn");
                } else {
                    g.writeObjectFieldStart("signIn");
                    g.writeStringField("tenantId", signIn.tenantId());
                    g.writeStringField("servicePrincipalId", signIn.servicePrincipalId());
                    g.writeStringField("appId", signIn.appId());
                    g.writeBooleanField("accountEnabledBefore", signIn.accountEnabledBefore());
                    g.writeEndObject();
                }
                if (assignment == null) {
                    g.writeNullField("assignment");
                } else {
                    g.writeObjectFieldStart("assignment");
                    g.writeStringField("name", assignment.name());
                    g.writeStringField("scope", assignment.scope());
                    g.writeStringField("roleDefinitionId", assignment.roleDefinitionId());
                    g.writeStringField("principalId", assignment.principalId());
                    g.writeStringField("principalType", assignment.principalType());
                    g.writeEndObject();
                }
                // ISO-8601, as the time module writes an Instant.
                g.writeStringField("at", at == null ? null : at.toString());
                g.writeEndObject();
            } catch (IOException e) {
                throw new AzureCmekException("cannot serialise the revocation intent: " + e.getMessage(), e);
            }
            return out.toString();
        }

        public static Intent fromJson(String json) {
            try {
                return Binding.JSON.readValue(json, Intent.class);
            } catch (JsonProcessingException e) {
                throw new InvalidInputException(
                        "Not a revocation intent written by RevocationRecord (" + e.getOriginalMessage() + "): "
                                + (json.length() > 200 ? json.substring(0, 200) + "..." : json));
            }
        }
    }

    /**
     * The cluster app's service principal as read before its sign-in was turned off.
     *
     * @param accountEnabledBefore its sign-in before the revocation (only an enabled one is turned off)
     */
    public record SignIn(String tenantId, String servicePrincipalId, String appId, boolean accountEnabledBefore) {}

    /** A role assignment as read before it was deleted: restore writes it again under the same name. */
    public record Assignment(
            String name, String scope, String roleDefinitionId, String principalId, String principalType) {
        /** The role in words ({@code Key Vault Crypto User}), or its definition's GUID when not a built-in one. */
        public String roleName() {
            return BuiltInRole.describe(roleDefinitionId);
        }
    }

    private static final JsonFactory GENERATORS = new JsonFactory();

    /** Data binding with the time module, made on first use (a revocation writes its intents without it). */
    static final class Binding {
        static final ObjectMapper JSON = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
}
