package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regular expressions (Java syntax) with a time bound: a pattern such as {@code (a+)+$} can
 * backtrack for longer than the universe exists, so the text is read through a sequence that
 * gives up after {@link #BUDGET_NANOS}.
 *
 * <p>{@code regex(p, s)}: the first match; the matched text when the pattern has no groups, a
 * list of the groups when they are numbered, a map when they are named ({@code (?<port>\d+)}).
 * Like HCL's {@code regex}, no match is an error; {@code try(regex(p, s), "")} when it may not match.
 */
final class Regex {
    static final long BUDGET_NANOS = 1_000_000_000L;
    private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    private Regex() {
    }

    static Matcher matcher(Args a, int patternArg, int textArg) throws FunctionError {
        String pattern = a.string(patternArg);
        if (pattern.length() > 4096) {
            throw FunctionError.at(patternArg, "the pattern is longer than 4096 characters");
        }
        try {
            return Pattern.compile(pattern).matcher(new Bounded(a.string(textArg), System.nanoTime() + BUDGET_NANOS));
        } catch (PatternSyntaxException e) {
            throw FunctionError.at(patternArg, "invalid pattern: " + e.getDescription());
        }
    }

    static Value first(Args a) throws FunctionError {
        Matcher m = matcher(a, 0, 1);
        if (!bounded(m::find)) {
            throw FunctionError.at(1, "the pattern does not match");
        }
        return groups(m, names(a.string(0)));
    }

    static Value all(Args a) throws FunctionError {
        Matcher m = matcher(a, 0, 1);
        List<String> names = names(a.string(0));
        List<Value> out = new ArrayList<>();
        while (bounded(m::find)) {
            out.add(groups(m, names));
            if (out.size() > 100_000) {
                throw FunctionError.at(1, "more than 100,000 matches");
            }
        }
        return new ListValue(out);
    }

    private static Value groups(Matcher m, List<String> names) {
        if (!names.isEmpty()) {
            Map<String, Value> byName = new LinkedHashMap<>();
            for (String name : names) {
                String g = m.group(name);
                byName.put(name, g == null ? NullValue.INSTANCE : new StringValue(g));
            }
            return new MapValue(byName);
        }
        if (m.groupCount() == 0) {
            return new StringValue(m.group());
        }
        List<Value> numbered = new ArrayList<>();
        for (int i = 1; i <= m.groupCount(); i++) {
            numbered.add(m.group(i) == null ? NullValue.INSTANCE : new StringValue(m.group(i)));
        }
        return new ListValue(numbered);
    }

    private static List<String> names(String pattern) {
        List<String> names = new ArrayList<>();
        Matcher m = NAMED_GROUP.matcher(pattern);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    interface Search {
        boolean run();
    }

    static boolean bounded(Search search) throws FunctionError {
        try {
            return search.run();
        } catch (OutOfTime e) {
            throw new FunctionError("the pattern took longer than 1 s on this text", 0,
                    "nested repetition such as (a+)+ backtracks without end; simplify the pattern");
        }
    }

    /** Thrown from inside the matcher when the time is up. */
    private static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super(null, null, false, false);
        }
    }

    /** The text, read by the matcher, checking the clock every few thousand characters. */
    private record Bounded(String text, long deadline, int[] reads) implements CharSequence {
        Bounded(String text, long deadline) {
            this(text, deadline, new int[1]);
        }

        @Override
        public char charAt(int index) {
            if ((++reads[0] & 0xFFF) == 0 && System.nanoTime() > deadline) {
                throw new OutOfTime();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Bounded(text.substring(start, end), deadline, reads);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
