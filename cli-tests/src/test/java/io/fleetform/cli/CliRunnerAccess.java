package io.fleetform.cli;

import java.util.Map;

/** {@link CliRunner} for tests in other packages. */
public final class CliRunnerAccess {
    private CliRunnerAccess() {
    }

    public record Result(int exitCode, String out, String err) {
    }

    public static Result run(Map<String, String> environment, String... args) {
        CliRunner.Result r = CliRunner.run(environment, args);
        return new Result(r.exitCode(), r.out(), r.err());
    }
}
