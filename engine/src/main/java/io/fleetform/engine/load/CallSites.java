package io.fleetform.engine.load;

import io.fleetform.dsl.ast.Call;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every function call in a syntax tree, found without evaluating anything: so a refusal can
 * name each call, not only the first one evaluation reaches. The tree is records all the way
 * down, so the walk reads their components and needs no change when the grammar grows.
 */
final class CallSites {
    private CallSites() {
    }

    static List<Call> in(Collection<?> roots) {
        List<Call> calls = new ArrayList<>();
        roots.forEach(r -> walk(r, calls));
        return calls;
    }

    private static void walk(Object node, List<Call> calls) {
        if (node instanceof Call call) {
            calls.add(call);
        }
        if (node instanceof Record record) {
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                try {
                    walk(c.getAccessor().invoke(record), calls);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + c.getName() + " of " + record, e);
                }
            }
        } else if (node instanceof Collection<?> list) {
            list.forEach(e -> walk(e, calls));
        } else if (node instanceof Optional<?> o) {
            o.ifPresent(v -> walk(v, calls));
        } else if (node instanceof Map<?, ?> map) {
            map.values().forEach(v -> walk(v, calls));
        }
    }
}
