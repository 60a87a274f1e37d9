package dev.cmek.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads back the Terraform an export wrote, independently of how it was written: blocks, attributes, string literals
 * (unescaped), objects, tuples and function calls; any other expression (a reference, a number, a {@code for}) is kept
 * as its text in a {@link Ref}. Only the HCL an export uses; enough to compare a configuration with what provision makes
 * where no provider is installed to read it.
 */
final class HclReader {
    /** An expression kept as written: {@code google_service_account.cmek.member}, {@code true}, {@code 365}. */
    record Ref(String text) {}

    record Call(String function, List<Object> args) {}

    record Block(String type, List<String> labels, Map<String, Object> attributes, List<Block> blocks) {
        Object attr(String name) {
            if (!attributes.containsKey(name)) {
                throw new AssertionError(
                        type + " " + labels + " has no attribute " + name + ": " + attributes.keySet());
            }
            return attributes.get(name);
        }

        /** The one nested block {@code type labels...}. */
        Block block(String type, String... labels) {
            List<Block> found = blocks.stream()
                    .filter(b -> b.type().equals(type) && b.labels().equals(List.of(labels)))
                    .toList();
            if (found.size() != 1) {
                throw new AssertionError(found.size() + " blocks " + type + " " + List.of(labels) + " in " + this.type
                        + " " + this.labels);
            }
            return found.get(0);
        }

        List<Block> blocks(String type) {
            return blocks.stream().filter(b -> b.type().equals(type)).toList();
        }

        /** The address of every resource block ({@code type.name}), sorted. */
        List<String> resources() {
            return blocks("resource").stream()
                    .map(b -> String.join(".", b.labels()))
                    .sorted()
                    .toList();
        }

        /** Each import block's target address and the id it imports, sorted by address. */
        Map<String, String> imports() {
            Map<String, String> out = new TreeMap<>();
            for (Block b : blocks("import")) {
                out.put(((Ref) b.attr("to")).text(), (String) b.attr("id"));
            }
            return out;
        }
    }

    private final String text;
    private int pos;

    private HclReader(String text) {
        this.text = text;
    }

    static Block parse(String text) {
        HclReader r = new HclReader(text);
        Block file = r.body("file", List.of(), false);
        return file;
    }

    /** Every {@code .tf} file of a directory, as one body. */
    static Block directory(Path dir) {
        List<Block> blocks = new ArrayList<>();
        Map<String, Object> attributes = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".tf")).sorted().toList()) {
                Block b = parse(Files.readString(f));
                blocks.addAll(b.blocks());
                attributes.putAll(b.attributes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Block("directory", List.of(dir.toString()), attributes, blocks);
    }

    private Block body(String type, List<String> labels, boolean braced) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        List<Block> blocks = new ArrayList<>();
        while (true) {
            skipSpaceAndNewlines();
            if (pos >= text.length()) {
                if (braced) {
                    throw error("unclosed block " + type);
                }
                break;
            }
            if (peek() == '}') {
                if (!braced) {
                    throw error("unexpected }");
                }
                pos++;
                break;
            }
            String name = identifier();
            skipSpaces();
            if (peek() == '=') {
                pos++;
                attributes.put(name, expression());
                continue;
            }
            List<String> blockLabels = new ArrayList<>();
            while (peek() == '"') {
                blockLabels.add(string());
                skipSpaces();
            }
            expect('{');
            blocks.add(body(name, blockLabels, true));
        }
        return new Block(type, labels, attributes, blocks);
    }

    private Object expression() {
        skipSpaces();
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '{') {
            pos++;
            Map<String, Object> entries = new LinkedHashMap<>();
            while (true) {
                skipSpaceAndNewlines();
                if (peek() == '}') {
                    pos++;
                    return entries;
                }
                String key = peek() == '"' ? string() : identifier();
                skipSpaces();
                expect('=');
                entries.put(key, expression());
                skipSpaces();
                if (peek() == ',') {
                    pos++;
                }
            }
        }
        if (c == '[') {
            int start = pos;
            pos++;
            skipSpaceAndNewlines();
            if (text.startsWith("for ", pos)) {
                pos = closing(start) + 1;
                return new Ref(text.substring(start, pos));
            }
            List<Object> items = new ArrayList<>();
            while (true) {
                skipSpaceAndNewlines();
                if (peek() == ']') {
                    pos++;
                    return items;
                }
                items.add(expression());
                skipSpaceAndNewlines();
                if (peek() == ',') {
                    pos++;
                }
            }
        }
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(peek()) || "_.-*".indexOf(peek()) >= 0)) {
            pos++;
        }
        if (start == pos) {
            throw error("an expression");
        }
        String word = text.substring(start, pos);
        if (pos < text.length() && peek() == '(') {
            pos++;
            List<Object> args = new ArrayList<>();
            while (true) {
                skipSpaceAndNewlines();
                if (peek() == ')') {
                    pos++;
                    return new Call(word, args);
                }
                args.add(expression());
                skipSpaceAndNewlines();
                if (peek() == ',') {
                    pos++;
                }
            }
        }
        return new Ref(word);
    }

    /** The index of the bracket closing the one at {@code open}, strings skipped. */
    private int closing(int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                for (i++; text.charAt(i) != '"'; i++) {
                    if (text.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (c == '[' || c == '{' || c == '(') {
                depth++;
            } else if (c == ']' || c == '}' || c == ')') {
                if (--depth == 0) {
                    return i;
                }
            }
        }
        throw error("a closing bracket");
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e);
                }
            } else if ((c == '$' || c == '%') && text.startsWith(c + "" + c + "{", pos - 1)) {
                out.append(c).append('{');
                pos += 2;
            } else if ((c == '$' || c == '%') && pos < text.length() && text.charAt(pos) == '{') {
                throw error("a template sequence in a string an export wrote");
            } else {
                out.append(c);
            }
        }
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '-')) {
            pos++;
        }
        if (start == pos) {
            throw error("a name");
        }
        return text.substring(start, pos);
    }

    private void skipSpaces() {
        while (pos < text.length() && (peek() == ' ' || peek() == '\t')) {
            pos++;
        }
    }

    private void skipSpaceAndNewlines() {
        while (pos < text.length()) {
            char c = peek();
            if (c == '#') {
                while (pos < text.length() && peek() != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private void expect(char c) {
        skipSpaces();
        if (pos >= text.length() || peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return text.charAt(pos);
    }

    private AssertionError error(String expected) {
        int line = (int) text.substring(0, Math.min(pos, text.length()))
                        .chars()
                        .filter(ch -> ch == '\n')
                        .count()
                + 1;
        return new AssertionError("HCL line " + line + ": expected " + expected);
    }
}
