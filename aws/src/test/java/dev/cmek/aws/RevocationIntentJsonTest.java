package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An intent's JSON, written field by field on the revoke path, is the very text Jackson's data binding (with the time
 * module, dates as ISO-8601) writes for the record, which is how intents were kept before and how they are read back.
 */
class RevocationIntentJsonTest {
    private static final ObjectMapper BINDING = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void theSameTextAsDataBinding_andReadBackEqual() throws Exception {
        List<RevocationRecord.Intent> intents = List.of(
                new RevocationRecord.Intent(
                        RevocationRecord.Document.KEY_POLICY,
                        "arn:aws:kms:us-east-1:111122223333:key/0c69ab07-a033-488f-963d-39db9f083564",
                        "us-east-1",
                        RoleArn.of("aws", AccountId.of("111122223333"), "crdb-cmek-3f1c2b9e-0123456789ab"),
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"a \\\"quoted\\\" \\u00e9 sid\"}]}",
                        "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                        List.of("{\"Sid\":\"CockroachDBCMEK\"}", "line\nbreak\ttab"),
                        List.of(),
                        Instant.parse("2026-11-30T19:53:36.372808560Z")),
                new RevocationRecord.Intent(
                        RevocationRecord.Document.TRUST,
                        "crdb-cmek-3f1c2b9e-0123456789ab",
                        null,
                        RoleArn.of("aws-us-gov", AccountId.of("111122223333"), "crdb-cmek-3f1c2b9e-0123456789ab"),
                        "{}",
                        "{}",
                        List.of(),
                        List.of("{\"Effect\":\"Deny\"}"),
                        Instant.parse("2026-11-30T00:00:00Z")),
                new RevocationRecord.Intent(
                        RevocationRecord.Document.SESSION_DENY,
                        "crdb-cmek-3f1c2b9e-0123456789ab",
                        null,
                        null,
                        null,
                        "{}",
                        List.of(),
                        List.of("{}"),
                        Instant.parse("2026-11-30T00:00:00.100Z")));
        for (RevocationRecord.Intent intent : intents) {
            assertEquals(BINDING.writeValueAsString(intent), intent.toJson());
            assertEquals(intent, RevocationRecord.Intent.fromJson(intent.toJson()));
        }
    }
}
