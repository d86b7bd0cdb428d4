package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.engine.eval.function.CallContext;
import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionRegistry;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large fleet's zones are built on several threads; what the user gets must be exactly what one
 * thread gives: the same model, the same diagnostics in the same order, for clean fleets and for
 * fleets with mistakes in many zones, cycles, references across zones and functions.
 */
class ParallelEvaluationTest {
    private static final String HEAD = """
            fleet "g" {
              owner  = "ops"
              labels = { team = "a" }
            }
            variable "release" {
              type    = string
              default = "1.0"
            }
            locals {
              base_port = 7000
              roles     = ["a", "b"]
            }
            image "app" {
              name = "g/app"
              tag  = var.release
            }
            hosts "pool" { local = true }
            idc "dc1" {
              region  = "r1"
              target  = hosts.pool
              ip_pool = "10.0.0.0/16"
            }
            template "base" {
              image  = image.app
              cpu    = 2 cores pinned
              memory = 1Gi
              disk   = 10Gi at "/data"
              io {
                read  = 100MB/s
                write = 50MB/s
              }
            }
            template "t" from template.base {
              spread = host
            }
            """;

    /** Zones enough to be built in parallel, with the given lines in each zone and in its service. */
    private static String fleet(int zones, String zoneLines, String serviceLines) {
        return HEAD + """
                zones "g" from 1 to %d as z {
                  idc    = idc.dc1
                  labels = { shard = "${z.name}", wave = "${z.index %% 4}" }
                %s
                  service "game" from template.t {
                    replicas = z.index %% 3 + 1
                    memory   = 512Mi + z.index %% 4 * 256Mi
                    ports    = { game = local.base_port + z.index, admin = 9000 }
                    env      = { ZONE = "${z.name}", N = z.index }
                %s
                  }
                  service "w-" for_each local.roles as r {
                    image  = image.app
                    cpu    = 500m
                    memory = 256Mi
                    env    = { ROLE = r.value }
                  }
                }
                """.formatted(zones, zoneLines, serviceLines);
    }

    @Test
    void aCleanFleetBuiltInParallelIsTheSequentialModel() {
        Outcome parallel = same(fleet(600, "", ""));
        assertThat(parallel.parallel()).isTrue();
        assertThat(parallel.diagnostics()).isEmpty();
        assertThat(parallel.fleet().zones()).hasSize(600);
        assertThat(parallel.fleet().zones().get(599).services()).hasSize(3);
    }

    @Test
    void mistakesInManyZonesAreReportedAsByOneThread() {
        Outcome outcome = same(fleet(600, "", """
                    init     = z.index % 50 == 0 ? "x${z.index}" : "docker"
                    workload = z.index % 97 == 0 ? "w${z.index}" : "statefulset"
                """));
        assertThat(outcome.parallel()).isFalse();
        assertThat(outcome.diagnostics()).hasSizeGreaterThan(10);
    }

    @Test
    void aMistakeInTheLastZoneOnlyIsReportedAsByOneThread() {
        Outcome outcome = same(fleet(600, "", """
                    stateless = z.index == 600 ? "maybe" : false
                """));
        assertThat(outcome.parallel()).isFalse();
        assertThat(outcome.diagnostics()).hasSize(1);
    }

    @Test
    void cyclesInATemplateAndThroughZonesAreReportedAsByOneThread() {
        String templateCycle = fleet(600, "", "").replace("spread = host", "spread = template.t.spread");
        assertThat(same(templateCycle).diagnostics()).extracting(d -> d.split(" ")[1]).contains("reference-cycle");
        Outcome throughZones = same(fleet(600, "module = zone.g5.module", ""));
        assertThat(throughZones.parallel()).isFalse();
        assertThat(throughZones.diagnostics()).isNotEmpty();
    }

    @Test
    void aZoneReadingAnotherZoneIsEvaluatedOnOneThread() {
        Outcome outcome = same(fleet(600, "", "    config = { first = zone.g1.name, me = zone.g1.service.game.name }"));
        assertThat(outcome.parallel()).isFalse();
        assertThat(outcome.diagnostics()).isEmpty();
    }

    @Test
    void aWarningBeforeTheZonesKeepsTheWholeRunOnOneThread() {
        String warned = fleet(600, "", "").replace("hosts \"pool\" { local = true }",
                "hosts \"pool\" {\n  local = true\n  token = \"plain\"\n}");
        Outcome outcome = same(warned);
        assertThat(outcome.parallel()).isFalse();
        assertThat(outcome.diagnostics()).singleElement().asString().contains("plain-secret");
    }

    @Test
    void fewZonesAreBuiltOnOneThread() {
        assertThat(same(fleet(20, "", "")).parallel()).isFalse();
    }

    @Test
    void builtInFunctionsAreCalledFromTheZoneThreadsAndUserFunctionsFromOne() {
        String calling = fleet(600, "", "    command = [\"run\", \"${twice(z.index)}\"]");
        Set<String> threads = ConcurrentHashMap.newKeySet();
        FunctionRegistry functions = FunctionRegistry.of(List.of(twice(threads)));
        Outcome builtIn = same(calling, functions, false);
        assertThat(builtIn.parallel()).isTrue();
        assertThat(builtIn.fleet().zones().get(9).services().get(0).command()).containsExactly("run", "20");

        threads.clear();
        Outcome user = same(calling, functions, true);
        assertThat(user.parallel()).isFalse();
        assertThat(threads).hasSize(1);
        assertThat(user.fleet()).isEqualTo(builtIn.fleet());
    }

    @Test
    void aModulesZonesAreBuiltInParallelAndItsMistakesReportedAsByOneThread(@TempDir Path dir) throws Exception {
        Path module = dir.resolve("modules/wing");
        Files.createDirectories(module);
        String wing = """
                variable "prefix" { type = string }
                variable "idc" {}
                variable "image" {}
                template "w" {
                  image  = var.image
                  cpu    = 1 core
                  memory = 1Gi
                }
                zones "w" from 1 to 300 as w {
                  name = "${var.prefix}-${w.index}"
                  idc  = var.idc
                  service "s" from template.w {
                    ports = { game = 8000 + w.index }
                    init  = BAD
                  }
                }
                output "names" { value = [for z in zones.w : z.name] }
                """;
        String root = fleet(300, "", "") + """
                module "east" {
                  source = "./modules/wing"
                  prefix = "east"
                  idc    = idc.dc1
                  image  = image.app
                }
                output "east" { value = module.east.names }
                """;
        Files.writeString(module.resolve("main.fleet"), wing.replace("BAD", "\"docker\""));
        Outcome clean = same(dir, root, FunctionRegistry.of(List.of()), false);
        assertThat(clean.parallel()).isTrue();
        assertThat(clean.diagnostics()).isEmpty();
        assertThat(clean.fleet().zones()).hasSize(600);
        assertThat(clean.fleet().zones().get(599).name()).isEqualTo("east-300");

        Files.writeString(module.resolve("main.fleet"), wing.replace("BAD", "w.index % 60 == 0 ? \"x${w.index}\" : \"docker\""));
        Outcome wrong = same(dir, root, FunctionRegistry.of(List.of()), false);
        assertThat(wrong.parallel()).isFalse();
        assertThat(wrong.diagnostics()).hasSize(5);
    }

    // ---- helpers ----

    record Outcome(Fleet fleet, List<String> diagnostics, boolean parallel) {
    }

    /**
     * The cross-zone checks on two threads (names beside network modes) report what one thread reports, in
     * the same order, on a fleet whose joined Kubernetes names collide in 300 zones and whose services ask
     * 300 hosts zones for an overlay network.
     */
    @Test
    void crossZoneChecksOnTwoThreadsReportAsOnOne() {
        String text = HEAD + """
                cluster "k1" { context = "k1" }
                idc "k" {
                  region = "r1"
                  target = cluster.k1
                }
                zones "a" from 1 to 300 as z {
                  idc = idc.k
                  service "x-y" { image = image.app  cpu = 1 core  memory = 1Gi }
                }
                zones "b" from 1 to 300 as z {
                  name = "a${z.index}-x"
                  idc  = idc.k
                  service "y" { image = image.app  cpu = 1 core  memory = 1Gi }
                }
                zones "h" from 1 to 300 as z {
                  idc = idc.dc1
                  service "s" { image = image.app  cpu = 1 core  memory = 1Gi  network = overlay }
                }
                """;
        Outcome outcome = same(text);
        assertThat(outcome.fleet().zones()).hasSize(900);
        Fleet fleet = outcome.fleet();
        Map<String, io.fleetform.engine.model.Idc> idcs = new java.util.LinkedHashMap<>();
        fleet.idcs().forEach(i -> idcs.put(i.name(), i));
        Map<String, io.fleetform.engine.model.HostPool> pools = new java.util.LinkedHashMap<>();
        fleet.hostPools().forEach(p -> pools.put(p.name(), p));
        Diagnostics one = new Diagnostics();
        ModelBuilder.crossZoneChecks(fleet.zones(), idcs, pools, one, false);
        Diagnostics two = new Diagnostics();
        ModelBuilder.crossZoneChecks(fleet.zones(), idcs, pools, two, true);
        List<String> sequential = one.inOrder().stream().map(ParallelEvaluationTest::render).toList();
        assertThat(sequential).filteredOn(d -> d.contains(" overlay-on-hosts ")).hasSize(300);
        assertThat(sequential).filteredOn(d -> !d.contains(" overlay-on-hosts ")).hasSizeGreaterThanOrEqualTo(300);
        assertThat(two.inOrder().stream().map(ParallelEvaluationTest::render).toList())
                .containsExactlyElementsOf(sequential);
        assertThat(outcome.diagnostics()).containsExactlyElementsOf(sorted(one)); // what the user is shown
    }

    private static List<String> sorted(Diagnostics diagnostics) {
        return diagnostics.sorted().stream().map(ParallelEvaluationTest::render).toList();
    }

    /** Evaluates on one thread and on two; both must give the same; returns the two-thread outcome. */
    private static Outcome same(String text) {
        return same(text, FunctionRegistry.of(List.of()), false);
    }

    private static Outcome same(String text, FunctionRegistry functions, boolean userFunctions) {
        return same(Path.of("."), text, functions, userFunctions);
    }

    private static Outcome same(Path dir, String text, FunctionRegistry functions, boolean userFunctions) {
        Outcome sequential = evaluate(dir, text, functions, userFunctions, 1);
        Outcome parallel = evaluate(dir, text, functions, userFunctions, 2);
        assertThat(sequential.parallel()).isFalse();
        assertThat(parallel.diagnostics()).containsExactlyElementsOf(sequential.diagnostics());
        assertThat(parallel.fleet()).isEqualTo(sequential.fleet());
        // Spans take no part in the model's equality: compare where every zone and service was declared too.
        assertThat(places(parallel.fleet())).isEqualTo(places(sequential.fleet()));
        return parallel;
    }

    private static List<String> places(Fleet fleet) {
        return fleet.zones().stream().flatMap(z -> z.services().stream().map(s -> z.name() + " " + z.span().location()
                + " " + s.name() + " " + s.span().location())).toList();
    }

    private static Outcome evaluate(Path dir, String text, FunctionRegistry functions, boolean userFunctions,
                                    int threads) {
        ParseResult parsed = new FleetParser().parse("test.fleet", text);
        assertThat(parsed.hasErrors()).as("syntax: %s", parsed.diagnostics()).isFalse();
        List<FleetFile> files = List.of(parsed.fileOrThrow());
        Diagnostics diagnostics = new Diagnostics();
        FleetEvaluator evaluator = new FleetEvaluator(functions, new ModuleResolver(List.of()))
                .withUserFunctions(userFunctions);
        EvalOptions options = EvalOptions.defaults()
                .withEnvironment(Map.of(FleetEvaluator.THREADS_VARIABLE, Integer.toString(threads)));
        Fleet fleet = evaluator.evaluate(dir, files, options, diagnostics);
        return new Outcome(fleet, diagnostics.sorted().stream().map(ParallelEvaluationTest::render).toList(),
                evaluator.evaluatedInParallel());
    }

    /** Everything a user sees of a diagnostic, its place included (spans are not part of equality). */
    private static String render(Diagnostic d) {
        return d.severity() + " " + d.code() + " " + d.span().location() + "+" + d.span().length() + " " + d.message()
                + " | " + d.hint();
    }

    /** {@code twice(n)}: records the threads that call it. */
    private static FleetFunction twice(Set<String> threads) {
        return new FleetFunction() {
            @Override
            public String name() {
                return "twice";
            }

            @Override
            public String signature() {
                return "twice(n number) number";
            }

            @Override
            public Value call(List<Value> args, CallContext context) {
                threads.add(Thread.currentThread().getName());
                return new NumberValue(((NumberValue) args.get(0)).value().multiply(java.math.BigDecimal.valueOf(2)));
            }
        };
    }
}
