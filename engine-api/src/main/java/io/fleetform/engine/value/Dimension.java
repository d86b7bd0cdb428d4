package io.fleetform.engine.value;

/** What a quantity measures, and the base unit it is stored in. */
public enum Dimension {
    SIZE("size", "bytes"),
    CPU("cpu", "millicores"),
    DURATION("duration", "milliseconds"),
    RATE("rate", "bytes per second"),
    /** {@code 500m}: millicores for a CPU, minutes for a duration; settled by where it is used. */
    CPU_OR_DURATION("cpu or duration", "");

    private final String label;
    private final String baseUnit;

    Dimension(String label, String baseUnit) {
        this.label = label;
        this.baseUnit = baseUnit;
    }

    public String label() {
        return label;
    }

    public String baseUnit() {
        return baseUnit;
    }
}
