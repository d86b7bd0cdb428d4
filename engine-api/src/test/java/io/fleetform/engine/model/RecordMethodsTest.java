package io.fleetform.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The model records whose equals and hashCode are written by hand (so a short command does not make
 * them at run time) behave as a record's own: equal exactly when every component is equal, and the
 * hash a record would have (31 × the hash so far + each component's hash, in order), so hash-ordered
 * collections keep their order. A component added later without its line in equals fails here.
 */
class RecordMethodsTest {
    private static final List<Class<? extends Record>> BY_HAND = List.of(Cpu.class, Disk.class, IoLimits.class,
            Network.class, Sriov.class, EnvVar.class, Lifecycle.class);

    @Test
    void equalExactlyWhenEveryComponentIsEqualWithARecordsHash() throws Exception {
        for (Class<? extends Record> type : BY_HAND) {
            RecordComponent[] components = type.getRecordComponents();
            Constructor<? extends Record> canonical = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            Object[] values = Arrays.stream(components).map(c -> sample(c.getType(), 0)).toArray();
            Record a = canonical.newInstance(values);
            Record b = canonical.newInstance(values.clone());
            assertThat(a).as(type.getSimpleName()).isEqualTo(b).isNotEqualTo(null).isNotEqualTo("other");
            assertThat(a.hashCode()).as(type.getSimpleName()).isEqualTo(b.hashCode()).isEqualTo(recordHash(values));
            for (int i = 0; i < components.length; i++) {
                Object[] changed = values.clone();
                changed[i] = sample(components[i].getType(), 1);
                Record c = canonical.newInstance(changed);
                assertThat(c).as(type.getSimpleName() + "." + components[i].getName()).isNotEqualTo(a);
                assertThat(a).as(type.getSimpleName() + "." + components[i].getName()).isNotEqualTo(c);
                assertThat(c.hashCode()).isEqualTo(recordHash(changed));
            }
        }
    }

    private static int recordHash(Object[] values) {
        int h = 0;
        for (Object value : values) {
            h = 31 * h + Objects.hashCode(value);
        }
        return h;
    }

    /** Two different values of each component type these records use. */
    private static Object sample(Class<?> type, int which) {
        if (type == long.class) {
            return which == 0 ? 1_500L : 7L;
        }
        if (type == int.class) {
            return which == 0 ? 3 : 9000;
        }
        if (type == boolean.class) {
            return which == 1;
        }
        if (type == String.class) {
            return which == 0 ? "a" : "b";
        }
        if (type == Optional.class) {
            return which == 0 ? Optional.empty() : Optional.of(5);
        }
        if (type == List.class) {
            return which == 0 ? List.of() : List.of("x");
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[which];
        }
        throw new AssertionError("no samples for " + type);
    }
}
