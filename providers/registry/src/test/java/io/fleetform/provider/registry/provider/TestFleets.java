package io.fleetform.provider.registry.provider;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.engine.model.Fleet;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Fleet files that point at the test registries; central's password comes from {@code env("CENTRAL_PASSWORD")}. */
final class TestFleets {

    static final String PASSWORD_VARIABLE = "CENTRAL_PASSWORD";

    /** {@code registry "central"} (htpasswd, via env) and {@code registry "mirror"} (a mirror of central). */
    static String registries(String centralHost, String mirrorHost) {
        return """
                fleet "reg" { owner = "ops" }
                registry "central" {
                  url      = "%s"
                  username = "%s"
                  auth     = env("%s")
                }
                registry "mirror" {
                  url       = "%s"
                  mirror_of = registry.central
                }
                """.formatted(centralHost, LocalRegistries.USER, PASSWORD_VARIABLE, mirrorHost);
    }

    static String image(String name, String repository, String tag, boolean replicate) {
        return """
                image "%s" {
                  from = registry.central
                  name = "%s"
                  tag  = "%s"%s
                }
                """.formatted(name, repository, tag, replicate ? "\n  replicate_to = [registry.mirror]" : "");
    }

    /** The run's environment: central's password only (no HOME, so no Docker config is read). */
    static Map<String, String> environment(String password) {
        Map<String, String> env = new HashMap<>();
        env.put(PASSWORD_VARIABLE, password);
        return env;
    }

    static Fleet load(Path dir, String source, Map<String, String> environment) {
        try {
            Files.writeString(dir.resolve("main.fleet"), source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LoadResult loaded = FleetLoader.fromClassPath().load(dir, options(environment));
        if (loaded.hasErrors()) {
            throw new AssertionError("the test fleet does not load: " + loaded.diagnostics());
        }
        return loaded.fleetOrThrow();
    }

    static EvalOptions options(Map<String, String> environment) {
        return EvalOptions.defaults().withEnvironment(environment).requiringSecrets();
    }

    private TestFleets() {
    }
}
