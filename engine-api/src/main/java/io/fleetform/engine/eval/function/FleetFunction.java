package io.fleetform.engine.eval.function;

import io.fleetform.engine.value.Value;
import java.util.List;

/**
 * A function callable from fleet files. Built-ins come from the standard library; a fleet's
 * own come from Groovy files in its {@code functions/} folder. Arguments arrive unwrapped:
 * the evaluator strips secrets (also those inside lists and maps) before the call and wraps the
 * result again, so a function never needs to know about sensitivity unless it says
 * {@link #seesSecrets()} or {@link #movesValues()}.
 */
public interface FleetFunction {

    String name();

    /** One line for {@code fleetform functions} and error hints, e.g. {@code upper(s string) string}. */
    String signature();

    Value call(List<Value> args, CallContext context) throws FunctionError;

    /** True for functions that handle unknown arguments themselves (e.g. {@code length} of a list). */
    default boolean acceptsUnknown() {
        return false;
    }

    /** True for functions that receive sensitive values still wrapped ({@code nonsensitive}, {@code issensitive}). */
    default boolean seesSecrets() {
        return false;
    }

    /**
     * True for functions that only move the elements of lists and maps around without looking at them
     * ({@code concat}, {@code merge}, {@code lookup}, {@code length}): a secret inside an argument stays wrapped
     * where it is, so the result is sensitive exactly where it holds the secret. Every other function gets its
     * arguments with the secrets inside them unwrapped too (it compares, joins or encodes them), and its whole
     * result is sensitive: {@code contains([secret("t")], "guess")} is a sensitive bool, never a plain answer.
     */
    default boolean movesValues() {
        return false;
    }
}
