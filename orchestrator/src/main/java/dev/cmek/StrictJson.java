package dev.cmek;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reading the files users write (manifests, fleet files): duplicate keys and trailing documents are refused, and
 * every problem is one {@link CmekException.InvalidInput} line that starts with where it is.
 */
public final class StrictJson {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {}

    /** The mapper with those rules, for writing in the same style. */
    public static ObjectMapper mapper() {
        return STRICT;
    }

    /**
     * The file's text, without the byte order mark some Windows editors put first; a missing, unreadable or
     * non-UTF-8 file is bad input naming the file and the reason.
     */
    public static String readText(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CmekException.InvalidInput(file + ": no such file");
        } catch (MalformedInputException e) {
            throw new CmekException.InvalidInput(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new CmekException.InvalidInput(file + ": cannot read: " + FileProblem.describe(e));
        }
        return withoutByteOrderMark(text);
    }

    /** {@code text} without a leading U+FEFF: JSON (RFC 8259, section 8.1) lets a parser ignore it, so we do. */
    public static String withoutByteOrderMark(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /**
     * The document, or {@code null} for empty input.
     *
     * @param malformed how the caller's messages call broken JSON, e.g. {@code malformed JSON}
     */
    public static JsonNode parse(String json, String source, String malformed) {
        try {
            return STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new CmekException.InvalidInput(source + ": " + malformed + where + ": " + reason(e));
        }
    }

    /** Jackson's reason without its source echo and configuration advice. */
    private static String reason(JsonProcessingException e) {
        String reason = e.getOriginalMessage().lines().findFirst().orElse("");
        if (reason.startsWith("Trailing token")) {
            return "more than one JSON document";
        }
        for (String noise : List.of(" (start marker at", " (bound as", ": not allowed as per", " at [Source")) {
            int cut = reason.indexOf(noise);
            if (cut > 0) {
                reason = reason.substring(0, cut);
            }
        }
        return reason;
    }
}
