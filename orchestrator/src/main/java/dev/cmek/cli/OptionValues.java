package dev.cmek.cli;

import java.util.Iterator;
import java.util.List;

/**
 * The values of the options that take one of a few words but parse them as text (to say what is wrong in their own
 * words): what shell completion offers after them, as picocli offers an enum option's constants.
 */
final class OptionValues {
    private OptionValues() {}

    /** {@code --gcp-protection} and {@code --azure-protection}. */
    static final class ProtectionLevels implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("SOFTWARE", "HSM").iterator();
        }
    }

    /** {@code --cloud}, as the paramLabel spells it. */
    static final class Clouds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("aws", "gcp", "azure").iterator();
        }
    }
}
