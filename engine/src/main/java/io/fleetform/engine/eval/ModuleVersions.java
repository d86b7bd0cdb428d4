package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.BodyItem;
import java.util.Arrays;

/**
 * Checks a module call's {@code version} constraint against the module's {@code meta}
 * version. Constraints: {@code 1.2.0} (exact), {@code >= 1.2}, {@code ~> 1.2} (1.2 up to, not
 * including, 2.0), {@code ~> 1.2.3} (1.2.3 up to 1.3).
 */
final class ModuleVersions {
    private ModuleVersions() {
    }

    static void check(EvalContext context, ModuleInstance module, Layer call, String name) {
        Attribute constraintAttribute = call.attribute("version");
        if (constraintAttribute == null) {
            return;
        }
        String constraint = Coerce.string(context, new Located("version", call.value("version", context),
                constraintAttribute.value().span()), "version");
        if (constraint == null) {
            return;
        }
        String actual = metaVersion(context, module);
        if (actual == null) {
            context.diagnostics().error("module-version", constraintAttribute.value().span(), "module \"" + name
                    + "\" declares no version, so \"" + constraint + "\" cannot be checked",
                    "the module needs meta { version = \"1.0.0\" }");
            return;
        }
        try {
            if (!satisfies(actual, constraint.strip())) {
                context.diagnostics().error("module-version", constraintAttribute.value().span(), "module \"" + name
                        + "\" is version " + actual + ", which does not satisfy \"" + constraint + "\"", "");
            }
        } catch (NumberFormatException e) {
            context.diagnostics().error("module-version", constraintAttribute.value().span(), "cannot read version "
                    + "constraint \"" + constraint + "\"", "use 1.2.0, >= 1.2 or ~> 1.2");
        }
    }

    private static String metaVersion(EvalContext context, ModuleInstance module) {
        if (module.meta() == null) {
            return null;
        }
        for (BodyItem item : module.meta().items()) {
            if (item instanceof Attribute a && a.name().name().equals("version")) {
                return Coerce.string(context, new Located("version", context.compute(module.prefix() + "meta.version",
                        "version", a.value(), module.scope()), a.value().span()), "version");
            }
        }
        return null;
    }

    static boolean satisfies(String version, String constraint) {
        int[] actual = parse(version);
        if (constraint.startsWith("~>")) {
            String base = constraint.substring(2).strip();
            int[] lower = parse(base);
            int parts = base.split("\\.").length;
            if (compare(actual, lower) < 0) {
                return false;
            }
            int[] upper = Arrays.copyOf(lower, 3);
            int bump = Math.max(0, parts - 2);
            upper[bump]++;
            for (int i = bump + 1; i < 3; i++) {
                upper[i] = 0;
            }
            return compare(actual, upper) < 0;
        }
        if (constraint.startsWith(">=")) {
            return compare(actual, parse(constraint.substring(2).strip())) >= 0;
        }
        if (constraint.startsWith("=")) {
            constraint = constraint.substring(1).strip();
        }
        return compare(actual, parse(constraint)) == 0;
    }

    private static int[] parse(String version) {
        String[] parts = version.strip().split("\\.");
        int[] numbers = new int[3];
        for (int i = 0; i < Math.min(3, parts.length); i++) {
            numbers[i] = Integer.parseInt(parts[i]);
        }
        return numbers;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
