package dev.cmek;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/** The one JSON layout the toolkit writes (manifests, results, evidence): two-space indent, {@code "key": value}. */
public final class PrettyJson {
    private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private PrettyJson() {}

    public static ObjectWriter writer(ObjectMapper mapper) {
        return mapper.writer(PRINTER);
    }

    /** {@code value} in that layout, without a trailing newline. */
    public static String write(ObjectMapper mapper, Object value) {
        try {
            return writer(mapper).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "not serialisable: " + value.getClass().getName(), e);
        }
    }
}
