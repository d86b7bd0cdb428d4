package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The implementations the command line names when its launcher runs the jar alone are exactly those the
 * jar's service files list: the main modules' {@code META-INF/services} files for Fleetform's service
 * interfaces (this module's own test providers left out), every interface and every class.
 */
class ShippedServicesTest {
    private static final List<String> INTERFACES = List.of("io.fleetform.engine.eval.function.FunctionLibrary",
            "io.fleetform.engine.module.ModuleLibrary", "io.fleetform.engine.provider.Provider",
            "io.fleetform.engine.state.StateBackendFactory");

    @Test
    void theNamedImplementationsAreTheServiceFilesOfTheModulesTheJarIsBuiltFrom() throws IOException {
        Map<String, TreeSet<String>> listed = new TreeMap<>();
        for (String service : INTERFACES) {
            listed.put(service, listedInMainModules(service));
        }
        Map<String, TreeSet<String>> named = new TreeMap<>();
        for (Map.Entry<Class<?>, List<Supplier<?>>> entry : ShippedServices.all().entrySet()) {
            TreeSet<String> classes = new TreeSet<>();
            for (Supplier<?> supplier : entry.getValue()) {
                Object made = supplier.get();
                assertThat(made).isInstanceOf(entry.getKey());
                classes.add(made.getClass().getName());
            }
            named.put(entry.getKey().getName(), classes);
        }
        assertThat(named).isEqualTo(listed);
        assertThat(named.get("io.fleetform.engine.provider.Provider")).hasSize(3);
    }

    @Test
    void everyFleetformServiceFileIsForAnInterfaceTheListCovers() throws IOException {
        // A new service interface with implementations in a main module must join ShippedServices (and INTERFACES).
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            java.nio.file.Path path = java.nio.file.Path.of(entry);
            if (entry.contains("cli-tests")) {
                continue;
            }
            List<String> names = new ArrayList<>();
            if (java.nio.file.Files.isDirectory(path.resolve("META-INF/services"))) {
                try (var files = java.nio.file.Files.list(path.resolve("META-INF/services"))) {
                    files.forEach(f -> names.add(f.getFileName().toString()));
                }
            } else if (entry.endsWith(".jar") && java.nio.file.Files.isRegularFile(path)) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(path.toFile())) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("META-INF/services/"))
                            .forEach(n -> names.add(n.substring("META-INF/services/".length())));
                }
            }
            names.stream().filter(n -> n.startsWith("io.fleetform.")).forEach(n -> assertThat(INTERFACES).as(entry)
                    .contains(n));
        }
    }

    /** The classes the service files on the class path list for this interface, but for this module's tests'. */
    private static TreeSet<String> listedInMainModules(String service) throws IOException {
        TreeSet<String> classes = new TreeSet<>();
        Enumeration<URL> files = ShippedServicesTest.class.getClassLoader().getResources("META-INF/services/" + service);
        List<URL> seen = new ArrayList<>();
        while (files.hasMoreElements()) {
            URL file = files.nextElement();
            if (file.toString().contains("/cli-tests/")) {
                continue; // FileWorldProvider and the other test providers
            }
            seen.add(file);
            try (InputStream in = file.openStream()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String name = line.replaceAll("#.*", "").strip();
                    if (!name.isEmpty()) {
                        classes.add(name);
                    }
                }
            }
        }
        assertThat(seen).as(service).isNotEmpty();
        return classes;
    }
}
