package dev.cmek.aws;

/** An input value (account id, ARN, cluster id, ...) did not parse. */
public final class InvalidInputException extends AwsCmekException {
    private final String field;
    private final String value;

    public InvalidInputException(String field, String value, String expected) {
        super("invalid " + field + " '" + value + "': expected " + expected);
        this.field = field;
        this.value = value;
    }

    public String field() {
        return field;
    }

    public String value() {
        return value;
    }
}
