package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class KeyArnTest {
    private static final String ARN = "arn:aws:kms:eu-west-1:111122223333:key/0c69ab07-a033-488f-963d-39db9f083564";

    @Test
    void equalByValue_asARecordIs() {
        KeyArn a = KeyArn.of(ARN);
        KeyArn b = KeyArn.of(new String(ARN));
        KeyArn other = KeyArn.of(ARN.replace("eu-west-1", "us-east-1"));

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, other);
        assertNotEquals(a, ARN);
        assertNotEquals(a, null);
        assertEquals(2, new java.util.HashSet<>(java.util.List.of(a, b, other)).size());
    }

    @Test
    void parts_andShape() {
        KeyArn a = KeyArn.of(ARN);
        assertEquals("aws", a.partition());
        assertEquals(Region.EU_WEST_1, a.region());
        assertEquals("111122223333", a.account().value());
        assertEquals(ARN, a.toString());
        assertThrows(InvalidInputException.class, () -> KeyArn.of("arn:aws:kms:eu-west-1:1:key/x"));
    }
}
