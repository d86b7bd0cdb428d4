package io.fleetform.engine.eval.function;

/**
 * A function's refusal of its arguments. The evaluator turns it into a diagnostic that
 * points at the offending argument when {@code argumentIndex} is given.
 */
public final class FunctionError extends Exception {
    private final int argumentIndex;
    private final String hint;

    public FunctionError(String message) {
        this(message, -1, "");
    }

    public FunctionError(String message, int argumentIndex, String hint) {
        super(message, null, false, false);
        this.argumentIndex = argumentIndex;
        this.hint = hint == null ? "" : hint;
    }

    public static FunctionError at(int argumentIndex, String message) {
        return new FunctionError(message, argumentIndex, "");
    }

    public int argumentIndex() {
        return argumentIndex;
    }

    public String hint() {
        return hint;
    }
}
