package dev.cmek.terraform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A Terraform file built as values and written the way {@code terraform fmt} writes it: two-space indents, and the
 * {@code =} of consecutive one-line attributes aligned (a blank line, a comment, a block or a multi-line value ends
 * such a run), so that an export is fmt-clean without Terraform at hand
 * (https://developer.hashicorp.com/terraform/language/style#code-formatting).
 */
final class Hcl {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Hcl() {}

    /** An expression. */
    sealed interface Expr permits Str, Raw, Tuple, Obj, Call {}

    /** A quoted string literal. */
    record Str(String value) implements Expr {}

    /**
     * An expression written as given: a reference, a number, a bool, a type. Lines after the first are indented by
     * the depth the expression starts at (their own indentation is relative to its first line's).
     */
    record Raw(String text) implements Expr {}

    record Tuple(List<Expr> items) implements Expr {
        Tuple {
            items = List.copyOf(items);
        }
    }

    /** An object constructor; its keys are written bare when they are identifiers, quoted otherwise. */
    record Obj(List<Map.Entry<String, Expr>> entries) implements Expr {
        Obj {
            entries = List.copyOf(entries);
        }

        static Obj of(Map<String, ? extends Expr> entries) {
            List<Map.Entry<String, Expr>> out = new ArrayList<>();
            entries.forEach((k, v) -> out.add(Map.entry(k, v)));
            return new Obj(out);
        }
    }

    /** A function call, such as {@code jsonencode({...})} or {@code merge(var.extra_tags, {...})}. */
    record Call(String function, List<Expr> args) implements Expr {
        Call {
            args = List.copyOf(args);
        }
    }

    static Str str(String value) {
        return new Str(value);
    }

    static Raw raw(String text) {
        return new Raw(text);
    }

    static Call call(String function, Expr... args) {
        return new Call(function, List.of(args));
    }

    /** A string-keyed map as an object of string literals, in the map's order. */
    static Obj strings(Map<String, String> map) {
        List<Map.Entry<String, Expr>> entries = new ArrayList<>();
        map.forEach((k, v) -> entries.add(Map.entry(k, str(v))));
        return new Obj(entries);
    }

    /**
     * A JSON document as an HCL value, for {@code jsonencode}: objects keep their key order, and a string equal to a
     * key of {@code references} becomes that expression (a role's ARN becomes the role resource's {@code arn}, which
     * also tells Terraform to make the role first).
     */
    static Expr json(JsonNode node, Map<String, Expr> references) {
        if (node.isObject()) {
            List<Map.Entry<String, Expr>> entries = new ArrayList<>();
            node.fields().forEachRemaining(f -> entries.add(Map.entry(f.getKey(), json(f.getValue(), references))));
            return new Obj(entries);
        }
        if (node.isArray()) {
            List<Expr> items = new ArrayList<>();
            node.forEach(n -> items.add(json(n, references)));
            return new Tuple(items);
        }
        if (node.isTextual()) {
            Expr reference = references.get(node.textValue());
            return reference != null ? reference : str(node.textValue());
        }
        if (node.isNull()) {
            return raw("null");
        }
        return raw(node.toString());
    }

    /** A file: its top-level items, separated as {@code content} adds them. */
    static String file(Consumer<Body> content) {
        Body body = new Body();
        content.accept(body);
        StringBuilder out = new StringBuilder();
        body.write(out, 0);
        return out.toString();
    }

    /** The inside of a file, a block or an object: attributes, blocks, comments and blank lines, in order. */
    static final class Body {
        private sealed interface Item permits Attribute, Block, Comment, Blank {}

        private record Attribute(String name, Expr value) implements Item {}

        private record Block(String type, List<String> labels, Body body) implements Item {}

        private record Comment(String text) implements Item {}

        private record Blank() implements Item {}

        private final List<Item> items = new ArrayList<>();

        Body attr(String name, Expr value) {
            items.add(new Attribute(name, value));
            return this;
        }

        Body attr(String name, String value) {
            return attr(name, str(value));
        }

        Body block(String type, List<String> labels, Consumer<Body> content) {
            Body body = new Body();
            content.accept(body);
            items.add(new Block(type, List.copyOf(labels), body));
            return this;
        }

        Body block(String type, Consumer<Body> content) {
            return block(type, List.of(), content);
        }

        /** A {@code # } comment line; a long one is best given as several. */
        Body comment(String text) {
            items.add(new Comment(text));
            return this;
        }

        Body blank() {
            items.add(new Blank());
            return this;
        }

        private void write(StringBuilder out, int depth) {
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                if (item instanceof Attribute a) {
                    int width = isMultiLine(a.value()) ? 0 : runWidth(i);
                    indent(out, depth).append(pad(key(a.name()), width)).append(" = ");
                    writeExpr(out, a.value(), depth);
                    out.append('\n');
                } else if (item instanceof Block b) {
                    indent(out, depth).append(b.type());
                    b.labels().forEach(l -> out.append(' ').append(quote(l)));
                    if (b.body().items.isEmpty()) {
                        out.append(" {}\n");
                    } else {
                        out.append(" {\n");
                        b.body().write(out, depth + 1);
                        indent(out, depth).append("}\n");
                    }
                } else if (item instanceof Comment c) {
                    indent(out, depth).append("# ").append(c.text()).append('\n');
                } else {
                    out.append('\n');
                }
            }
        }

        /** The width of the names in the run of one-line attributes that item {@code i} belongs to. */
        private int runWidth(int i) {
            int start = i;
            while (start > 0 && isOneLineAttribute(items.get(start - 1))) {
                start--;
            }
            int width = 0;
            for (int j = start; j < items.size() && isOneLineAttribute(items.get(j)); j++) {
                width = Math.max(width, key(((Attribute) items.get(j)).name()).length());
            }
            return width;
        }

        private static boolean isOneLineAttribute(Item item) {
            return item instanceof Attribute a && !isMultiLine(a.value());
        }
    }

    static boolean isMultiLine(Expr e) {
        if (e instanceof Raw r) {
            return r.text().contains("\n");
        }
        if (e instanceof Obj o) {
            return !o.entries().isEmpty();
        }
        if (e instanceof Tuple t) {
            return t.items().stream().anyMatch(x -> isMultiLine(x) || x instanceof Obj);
        }
        if (e instanceof Call c) {
            return c.args().stream().anyMatch(Hcl::isMultiLine);
        }
        return false;
    }

    private static void writeExpr(StringBuilder out, Expr e, int depth) {
        if (e instanceof Str s) {
            out.append(quote(s.value()));
        } else if (e instanceof Raw r) {
            out.append(r.text().replace("\n", "\n" + "  ".repeat(depth)));
        } else if (e instanceof Obj o) {
            if (o.entries().isEmpty()) {
                out.append("{}");
                return;
            }
            Body inside = new Body();
            o.entries().forEach(en -> inside.attr(en.getKey(), en.getValue()));
            out.append("{\n");
            inside.write(out, depth + 1);
            indent(out, depth).append('}');
        } else if (e instanceof Tuple t) {
            if (!isMultiLine(t)) {
                out.append('[');
                for (int i = 0; i < t.items().size(); i++) {
                    out.append(i == 0 ? "" : ", ");
                    writeExpr(out, t.items().get(i), depth);
                }
                out.append(']');
                return;
            }
            out.append("[\n");
            for (Expr item : t.items()) {
                indent(out, depth + 1);
                writeExpr(out, item, depth + 1);
                out.append(",\n");
            }
            indent(out, depth).append(']');
        } else if (e instanceof Call c) {
            out.append(c.function()).append('(');
            for (int i = 0; i < c.args().size(); i++) {
                out.append(i == 0 ? "" : ", ");
                writeExpr(out, c.args().get(i), depth);
            }
            out.append(')');
        }
    }

    /** An attribute name or object key: bare when an identifier, quoted otherwise ({@code "sts:ExternalId"}). */
    private static String key(String name) {
        return IDENTIFIER.matcher(name).matches() ? name : quote(name);
    }

    /**
     * A quoted HCL string: backslash escapes, and {@code ${} and {@code %{} doubled so that a value is never read as a
     * template (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences).
     */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '$', '%' -> {
                    out.append(c);
                    if (i + 1 < s.length() && s.charAt(i + 1) == '{') {
                        out.append(c);
                    }
                }
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static StringBuilder indent(StringBuilder out, int depth) {
        return out.append("  ".repeat(depth));
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
