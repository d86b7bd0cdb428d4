package io.fleetform.engine.value;

/** A reference to a declared thing: {@code image.gamesvr}, {@code idc.sh-pudong}, {@code zone.s1}. */
public record RefValue(Entity entity) implements Value {
    @Override
    public String typeName() {
        return entity.kind() + " reference";
    }

    @Override
    public String display() {
        return entity.address();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RefValue r && r.entity.address().equals(entity.address());
    }

    @Override
    public int hashCode() {
        return entity.address().hashCode();
    }
}
