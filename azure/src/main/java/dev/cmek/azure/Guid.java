package dev.cmek.azure;

import java.util.Locale;

/** Azure's GUIDs (tenant, subscription, client and object ids), checked once where they enter. */
public final class Guid {
    private Guid() {}

    /** The value in lower case, or {@link InvalidInputException} naming {@code what}. */
    static String require(String value, String what) {
        String v = value == null ? null : value.strip().toLowerCase(Locale.ROOT);
        if (v == null || !ClusterId.UUID.matcher(v).matches()) {
            throw new InvalidInputException(what + " must be a GUID (8-4-4-4-12 hex digits), got " + value);
        }
        return v;
    }

    /** Whether {@code value} is a GUID, in either case. */
    public static boolean is(String value) {
        return value != null
                && ClusterId.UUID.matcher(value.toLowerCase(Locale.ROOT)).matches();
    }
}
