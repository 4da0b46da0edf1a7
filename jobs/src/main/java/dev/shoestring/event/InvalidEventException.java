package dev.shoestring.event;

/** Why a record is not a valid event (CONTRACT §1). The message names the offending field. */
public final class InvalidEventException extends Exception {
    public enum Reason {
        /** The record has no value (a tombstone) or the value is not UTF-8 JSON. */
        MALFORMED_JSON,
        /** Valid JSON, but not an object. */
        NOT_AN_OBJECT,
        /** A required field is absent or null. */
        MISSING_FIELD,
        /** A field has the wrong JSON type or an unparsable value. */
        WRONG_TYPE,
        /** A field has the right type but breaks a rule (empty, negative, out of range, bad format). */
        OUT_OF_RANGE
    }

    private final Reason reason;
    private final String field;

    public InvalidEventException(Reason reason, String field, String message) {
        super(message);
        this.reason = reason;
        this.field = field;
    }

    public Reason reason() {
        return reason;
    }

    /** The JSON path of the offending field, or null when the whole record is at fault. */
    public String field() {
        return field;
    }
}
