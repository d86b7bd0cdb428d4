package io.fleetform.engine.eval;

import groovy.transform.ThreadInterrupt;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.ClassCodeVisitorSupport;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.expr.ClassExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.MethodPointerExpression;
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.ASTTransformationCustomizer;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * The limits put on a fleet's own Groovy functions. Groovy is no sandbox and none is
 * pretended (the functions are the repository's code, like a build script); these limits keep
 * honest mistakes from hanging or ending a run:
 * <ul>
 *   <li>every loop, closure and method start checks for an interrupt (Groovy's own
 *       {@link ThreadInterrupt} transform), and a watchdog interrupts a call past its budget;</li>
 *   <li>a call to {@code System.exit}, {@code Runtime.exit} or {@code Runtime.halt} is a compile
 *       error at its line; one made some other way (reflection) is caught as the JVM shuts down
 *       and turned into a failed run (see {@link UserCodeExit#attempt()}).</li>
 * </ul>
 */
public final class UserCode {
    private static final Set<String> EXITS = Set.of("exit", "halt");
    private static final Set<String> EXIT_OWNERS = Set.of("java.lang.System", "java.lang.Runtime");
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fleetform-function-watchdog");
        t.setDaemon(true);
        return t;
    });

    private UserCode() {
    }

    static CompilerConfiguration compilerConfiguration() {
        CompilerConfiguration configuration = new CompilerConfiguration();
        configuration.addCompilationCustomizers(new ASTTransformationCustomizer(ThreadInterrupt.class),
                new ExitRejector());
        return configuration;
    }

    /** A call that ran out of its budget. */
    static final class OutOfTime extends Exception {
        private final String budget;

        OutOfTime(String budget) {
            super(budget, null, false, false);
            this.budget = budget;
        }

        String budget() {
            return budget;
        }
    }

    /** Time for user functions: per call, and for all calls of one run together. */
    static final class Budget {
        private final Duration perCall;
        private final Duration total;
        private long usedNanos;

        Budget(Duration perCall, Duration total) {
            this.perCall = perCall;
            this.total = total;
        }

        static Budget fromEnvironment() {
            long seconds = 5;
            String configured = System.getenv("FLEETFORM_FUNCTION_TIMEOUT");
            if (configured != null && configured.matches("[0-9]{1,6}") && Long.parseLong(configured) > 0) {
                seconds = Long.parseLong(configured);
            }
            return new Budget(Duration.ofSeconds(seconds), Duration.ofSeconds(Math.max(60, seconds)));
        }

        Duration perCall() {
            return perCall;
        }

        Duration total() {
            return total;
        }

        <T> T run(Callable<T> work, String file) throws Exception {
            long remaining;
            synchronized (this) {
                remaining = total.toNanos() - usedNanos;
            }
            if (remaining <= 0) {
                throw new OutOfTime(total.toSeconds() + " s for all user functions of this run");
            }
            long limit = Math.min(perCall.toNanos(), remaining);
            Thread caller = Thread.currentThread();
            boolean[] state = new boolean[2]; // [0] finished, [1] interrupted by the watchdog
            ScheduledFuture<?> alarm = WATCHDOG.schedule(() -> {
                synchronized (state) {
                    if (!state[0]) {
                        state[1] = true;
                        caller.interrupt();
                    }
                }
            }, limit, TimeUnit.NANOSECONDS);
            long start = System.nanoTime();
            UserCodeExit.Holder outer = UserCodeExit.enter(caller, file);
            try {
                T result = work.call();
                if (fired(state)) {
                    throw outOfTime(limit);
                }
                return result;
            } catch (Exception e) {
                if (fired(state)) {
                    throw outOfTime(limit);
                }
                throw e;
            } finally {
                synchronized (state) {
                    state[0] = true;
                }
                alarm.cancel(false);
                if (state[1]) {
                    Thread.interrupted();
                }
                UserCodeExit.restore(outer);
                synchronized (this) {
                    usedNanos += System.nanoTime() - start;
                }
            }
        }

        private static boolean fired(boolean[] state) {
            synchronized (state) {
                return state[1];
            }
        }

        private OutOfTime outOfTime(long limitNanos) {
            return limitNanos < perCall.toNanos()
                    ? new OutOfTime(total.toSeconds() + " s for all user functions of this run")
                    : new OutOfTime(perCall.toSeconds() + " s");
        }
    }

    /** Refuses, at compile time, the calls that would end the JVM. */
    private static final class ExitRejector extends CompilationCustomizer {
        ExitRejector() {
            super(CompilePhase.CANONICALIZATION);
        }

        @Override
        public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
            new ClassCodeVisitorSupport() {
                @Override
                protected SourceUnit getSourceUnit() {
                    return source;
                }

                @Override
                public void visitMethodCallExpression(MethodCallExpression call) {
                    String method = call.getMethodAsString();
                    if (isExitOwner(call.getObjectExpression()) && (method == null || EXITS.contains(method))) {
                        reject(source, call, method);
                    }
                    super.visitMethodCallExpression(call);
                }

                @Override
                public void visitStaticMethodCallExpression(StaticMethodCallExpression call) {
                    if (EXIT_OWNERS.contains(call.getOwnerType().getName()) && EXITS.contains(call.getMethod())) {
                        reject(source, call, call.getMethod());
                    }
                    super.visitStaticMethodCallExpression(call);
                }

                @Override
                public void visitMethodPointerExpression(MethodPointerExpression pointer) {
                    String method = pointer.getMethodName().getText();
                    if (isExitOwner(pointer.getExpression()) && EXITS.contains(method)) {
                        reject(source, pointer, method);
                    }
                    super.visitMethodPointerExpression(pointer);
                }
            }.visitClass(classNode);
        }

        private static boolean isExitOwner(Expression receiver) {
            if (receiver instanceof ClassExpression c) {
                return EXIT_OWNERS.contains(c.getType().getName());
            }
            if (receiver instanceof MethodCallExpression m) {
                return "getRuntime".equals(m.getMethodAsString());
            }
            if (receiver instanceof StaticMethodCallExpression s) {
                return "getRuntime".equals(s.getMethod());
            }
            return false;
        }

        private static void reject(SourceUnit source, ASTNode node, String method) {
            String message = "a fleet function cannot end Fleetform (" + (method == null ? "a dynamic call" : method + "()")
                    + " on System/Runtime); throw an exception to report a failure instead";
            source.getErrorCollector().addError(new SyntaxErrorMessage(new SyntaxException(message,
                    node.getLineNumber(), node.getColumnNumber(), node.getLastLineNumber(), node.getLastColumnNumber()),
                    source));
        }
    }
}
