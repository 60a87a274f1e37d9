package dev.cmek.api;

import dev.cmek.CmekException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A CockroachDB Cloud service-account API key. It is read from the environment or a file, never from a
 * command-line value, and never printed: {@link #toString()} is redacted and only the HTTP layer calls
 * {@link #reveal()}.
 */
public final class ApiKey {
    public static final String ENV = "COCKROACH_API_KEY";

    private final String secret;

    private ApiKey(String secret) {
        this.secret = secret;
    }

    /** From {@code file} when given, else from {@value #ENV}. */
    public static ApiKey resolve(Path file, Map<String, String> env) {
        if (file != null) {
            return fromFile(file);
        }
        String value = env.get(ENV);
        if (value == null || value.isBlank()) {
            throw new CmekException.InvalidInput("no API key: set " + ENV + " or pass --api-key-file FILE");
        }
        return of(value.strip(), ENV);
    }

    public static ApiKey fromFile(Path file) {
        String value;
        try {
            // Notepad and PowerShell write a UTF-8 BOM at the start: not part of the key.
            value = dev.cmek.StrictJson.withoutByteOrderMark(Files.readString(file, StandardCharsets.UTF_8))
                    .strip();
        } catch (IOException e) {
            throw new CmekException.InvalidInput(
                    "cannot read API key file " + file + ": " + dev.cmek.FileProblem.describe(e));
        }
        if (value.isEmpty()) {
            throw new CmekException.InvalidInput("API key file " + file + " is empty");
        }
        return of(value, "API key file " + file);
    }

    private static ApiKey of(String value, String source) {
        if (value.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new CmekException.InvalidInput(source + " holds whitespace or control characters inside the key");
        }
        return new ApiKey(value);
    }

    /** For tests and the sandbox, which compare keys. */
    public static ApiKey of(String value) {
        return of(value, "API key");
    }

    /** The secret itself, for the Authorization header only. */
    String reveal() {
        return secret;
    }

    /** The secret, for the local sandbox, which must accept exactly this key. */
    public String revealForSandbox() {
        return secret;
    }

    /**
     * {@code text} with every occurrence of the key replaced: a last guard before anything is printed. Keys shorter
     * than {@value #REDACT_MIN} characters (only ever test keys; real ones are long) are left, as replacing them would
     * garble ordinary words.
     */
    public String redact(String text) {
        return redact(text, secret);
    }

    static final int REDACT_MIN = 8;

    /** {@link #redact(String)} for a key known only as text, such as the environment's. */
    public static String redact(String text, String key) {
        if (text == null || key == null || key.strip().length() < REDACT_MIN) {
            return text;
        }
        return text.replace(key.strip(), "[redacted]");
    }

    @Override
    public String toString() {
        return "ApiKey[redacted]";
    }
}
