package io.fleetform.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.NetworkMode;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Workload;
import io.fleetform.engine.model.Zone;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.UnknownValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {

    private static Service only(Fleets.Evaluated e) {
        assertThat(e.errors()).as("errors").isEmpty();
        return e.fleet().zones().get(0).services().get(0);
    }

    /** A cycle names every value around it, from the one asked for again, through locals, templates and zones. */
    @Test
    void referenceCyclesNameTheValuesAroundThem() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + """
                locals {
                  a = local.b + 1
                  b = local.c + 1
                  c = local.a + 1
                }
                template "t" {
                  image  = image.app
                  cpu    = 1 core
                  memory = template.t.disk
                  disk   = template.t.memory
                }
                zone "z" {
                  idc = idc.dc1
                  service "s" from template.t { replicas = zone.z.service.s.replicas }
                }
                """);
        assertThat(e.errors()).extracting(d -> d.message()).contains(
                "reference cycle: local.a → local.b → local.c → local.a",
                "reference cycle: template.t.memory → template.t.disk → template.t.memory",
                "reference cycle: zone.z.service.s.replicas → zone.z.service.s.replicas");
    }

    @Test
    void unitArithmeticIsExact() {
        Service s = only(Fleets.service("""
                image  = image.app
                cpu    = 2 cores + 500m
                memory = 1.5Gi / 3 * 2
                disk   = 64Gi / 4 at "/var/lib/game"
                io {
                  read  = 1Gbps
                  write = 125MB/s / 5
                }"""));
        assertThat(s.cpu().millicores()).isEqualTo(2500);
        assertThat(s.memoryBytes()).isEqualTo(1L << 30);
        assertThat(s.disk().orElseThrow().sizeBytes()).isEqualTo(16L << 30);
        assertThat(s.disk().orElseThrow().mountPath()).isEqualTo("/var/lib/game");
        assertThat(s.io().orElseThrow().readBytesPerSecond()).isEqualTo(125_000_000L);
        assertThat(s.io().orElseThrow().writeBytesPerSecond()).isEqualTo(25_000_000L);
    }

    @Test
    void theLetterMIsMillicoresForCpuAndMinutesForDurations() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + """
                zone "z1" {
                  idc = idc.dc1
                  service "s" { image = image.app  cpu = 500m  memory = 1Gi }
                }
                rollout "r" {
                  stage "canary" {
                    zones = [zone.z1]
                    wait  = 10m + 30s
                  }
                }
                """);
        assertThat(only(e).cpu().millicores()).isEqualTo(500);
        assertThat(e.fleet().rollouts().get(0).stages().get(0).waitAfter().orElseThrow().toSeconds()).isEqualTo(630);
    }

    @Test
    void templatesAreOverriddenAttributeByAttributeIncludingNestedBlocks() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + """
                template "base" {
                  image  = image.app
                  cpu    = 4 cores pinned
                  memory = 8Gi
                  disk   = 10Gi at "/data"
                  io {
                    read  = 100MB/s
                    write = 50MB/s
                  }
                }
                template "big" from template.base {
                  memory = 16Gi
                }
                zone "z1" {
                  idc = idc.dc1
                  service "s" from template.big {
                    io {
                      write = 80MB/s
                    }
                  }
                }
                """);
        Service s = only(e);
        assertThat(s.cpu().pinned()).isTrue();
        assertThat(s.cpu().wholeCores()).isEqualTo(4);
        assertThat(s.memoryBytes()).isEqualTo(16L << 30);
        assertThat(s.io().orElseThrow().readBytesPerSecond()).isEqualTo(100_000_000L);
        assertThat(s.io().orElseThrow().writeBytesPerSecond()).isEqualTo(80_000_000L);
        assertThat(s.template()).contains("template.big");
    }

    @Test
    void rangesForEachConditionsAndComputedNames() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + """
                zones "s" from 1 to 6 as z if z.index % 2 == 0 {
                  idc = idc.dc1
                  service "logic" { image = image.app  cpu = 1 core  memory = 1Gi  replicas = z.index }
                  service "debug" if z.index == 4 { image = image.app  cpu = 1 core  memory = 1Gi }
                }
                zones "eu-" for_each ["fra", "ams"] as r {
                  name = "eu-${r.value}-${r.index}"
                  idc  = idc.dc1
                }
                """);
        assertThat(e.errors()).isEmpty();
        assertThat(e.fleet().zones()).extracting(Zone::name)
                .containsExactly("s2", "s4", "s6", "eu-fra-0", "eu-ams-1");
        Zone s4 = e.fleet().zone("s4").orElseThrow();
        assertThat(s4.services()).extracting(Service::name).containsExactly("logic", "debug");
        assertThat(s4.service("logic").orElseThrow().replicas()).isEqualTo(4);
        assertThat(e.fleet().zone("s2").orElseThrow().services()).hasSize(1);
    }

    @Test
    void nullMeansNotSetSoTheTemplateOrDefaultApplies() {
        Service s = only(Fleets.evaluate(Fleets.BASE + """
                template "t" { image = image.app  cpu = 1 core  memory = 2Gi  network = host }
                zone "z1" {
                  idc = idc.dc1
                  service "s" from template.t {
                    memory  = false ? 4Gi : null
                    network = null
                  }
                }
                """));
        assertThat(s.memoryBytes()).isEqualTo(2L << 30);
        assertThat(s.network().mode()).isEqualTo(NetworkMode.HOST);
    }

    @Test
    void aSecretStaysSensitiveThroughExpressionsIntoTheModel() {
        Fleets.Evaluated e = Fleets.evaluate("""
                variable "db" {
                  type      = string
                  default   = "hunter2"
                  sensitive = true
                }
                """ + Fleets.BASE + """
                zone "z1" {
                  idc = idc.dc1
                  service "s" {
                    image  = image.app
                    cpu    = 1 core
                    memory = 1Gi
                    env    = { URL = "postgres://u:${var.db}@db/${upper_less}", PLAIN = "x" }
                  }
                }
                locals {
                  masked = "${var.db}-suffix"
                }
                output "url" {
                  value     = local.masked
                  sensitive = true
                }
                """.replace("${upper_less}", "game"));
        assertThat(e.errors()).isEmpty();
        Service s = e.fleet().zones().get(0).services().get(0);
        assertThat(s.env()).anySatisfy(env -> {
            assertThat(env.name()).isEqualTo("URL");
            assertThat(env.sensitive()).isTrue();
            assertThat(env.value()).isEqualTo("postgres://u:hunter2@db/game");
            assertThat(env.toString()).doesNotContain("hunter2");
        });
        assertThat(s.env()).anySatisfy(env -> assertThat(env.sensitive()).isFalse());
        assertThat(e.fleet().outputs().get(0).value().isSensitive()).isTrue();
        assertThat(e.fleet().outputs().get(0).value().display()).isEqualTo("(sensitive)");
        assertThat(e.fleet().variables().get("db").display()).doesNotContain("hunter2");
    }

    @Test
    void instanceAddressesAreKnownOnlyAfterPlanning() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + """
                zones "s" from 1 to 2 as z {
                  idc = idc.dc1
                  service "logic" { image = image.app  cpu = 1 core  memory = 1Gi }
                }
                output "ips" {
                  value = { for z in zones.s : z.name => z.service.logic.ip }
                }
                output "names" {
                  value = [for z in zones.s : "${z.name}/${z.service.logic.name}"]
                }
                """);
        assertThat(e.errors()).isEmpty();
        assertThat(e.fleet().outputs().get(0).value().display())
                .isEqualTo("{ s1 = (known after plan), s2 = (known after plan) }");
        assertThat(e.fleet().outputs().get(1).value().display()).isEqualTo("[\"s1/logic\", \"s2/logic\"]");
        assertThat(new UnknownValue("x").display()).isEqualTo("(x)");
    }

    @Test
    void variablesComeFromVarThenVarFileThenEnvironmentThenDefault(@TempDir Path dir) throws Exception {
        String text = """
                variable "release" { type = string  default = "1.0.0" }
                variable "disk" { type = size  default = 1Gi }
                variable "names" { type = list  default = [] }
                """ + Fleets.BASE;
        Path varFile = dir.resolve("prod.fleetvars");
        Files.writeString(varFile, "release = \"3.0.0\"\ndisk = 20Gi\n");
        EvalOptions env = EvalOptions.defaults().withEnvironment(Map.of("FLEETFORM_VAR_release", "4.0.0",
                "FLEETFORM_VAR_names", "[\"a\", \"b\"]"));
        Fleet defaults = Fleets.evaluate(text, EvalOptions.defaults().withEnvironment(Map.of())).fleet();
        assertThat(defaults.variables().get("release")).isEqualTo(new StringValue("1.0.0"));
        Fleet fromEnv = Fleets.evaluate(text, env).fleet();
        assertThat(fromEnv.variables().get("release")).isEqualTo(new StringValue("4.0.0"));
        assertThat(fromEnv.variables().get("names").display()).isEqualTo("[\"a\", \"b\"]");
        Fleet fromFile = Fleets.evaluate(text, env.withVars(Map.of(), List.of(varFile))).fleet();
        assertThat(fromFile.variables().get("release")).isEqualTo(new StringValue("3.0.0"));
        assertThat(fromFile.variables().get("disk").display()).isEqualTo("20Gi");
        Fleet fromVar = Fleets.evaluate(text, env.withVars(Map.of("release", "5.0.0"), List.of(varFile))).fleet();
        assertThat(fromVar.variables().get("release")).isEqualTo(new StringValue("5.0.0"));
    }

    @Test
    void aTypedVarThatDoesNotParseIsReportedAtTheVar() {
        Fleets.Evaluated e = Fleets.evaluate("variable \"disk\" { type = size }\n" + Fleets.BASE,
                EvalOptions.defaults().withEnvironment(Map.of()).withVars(Map.of("disk", "20Gb"), List.of()));
        assertThat(e.errors()).singleElement().satisfies(d -> {
            assertThat(d.message()).isEqualTo("unknown unit \"Gb\" for disk");
            assertThat(d.span().file().path()).isEqualTo("-var disk");
            assertThat(d.span().text()).isEqualTo("20Gb");
        });
    }

    @Test
    void statelessServicesBecomeDeploymentsAndOthersStatefulSets() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + """
                zone "z1" {
                  idc = idc.dc1
                  service "api" { image = image.app  cpu = 1 core  memory = 1Gi  stateless = true }
                  service "game" { image = image.app  cpu = 1 core  memory = 1Gi }
                  service "set" { image = image.app  cpu = 1 core  memory = 1Gi  workload = gameserverset }
                }
                """);
        assertThat(e.fleet().zones().get(0).services()).extracting(Service::workload)
                .containsExactly(Workload.DEPLOYMENT, Workload.STATEFULSET, Workload.GAMESERVERSET);
    }

    @Test
    void manyMistakesInOneRunAreAllReportedInFileOrder() {
        Fleets.Evaluated e = Fleets.evaluate(Fleets.BASE + """
                zone "z1" {
                  idc = idc.dc9
                  service "s" { image = image.ap  cpu = 1.5 cores pinned  memory = 4Gb }
                }
                """);
        assertThat(e.errors()).extracting(d -> d.span().line() + ":" + d.code())
                .containsExactly("6:unknown-reference", "7:unknown-reference", "7:pinned-fraction", "7:unknown-unit");
    }

    @Test
    void versionConstraints() {
        assertThat(ModuleVersions.satisfies("1.4.0", "~> 1.2")).isTrue();
        assertThat(ModuleVersions.satisfies("2.0.0", "~> 1.2")).isFalse();
        assertThat(ModuleVersions.satisfies("1.2.9", "~> 1.2.3")).isTrue();
        assertThat(ModuleVersions.satisfies("1.3.0", "~> 1.2.3")).isFalse();
        assertThat(ModuleVersions.satisfies("1.2.0", ">= 1.2")).isTrue();
        assertThat(ModuleVersions.satisfies("1.2.0", "1.2.0")).isTrue();
        assertThat(ModuleVersions.satisfies("1.2.1", "= 1.2.0")).isFalse();
    }

    @Test
    void localModulesTakeParametersAndContributeZones(@TempDir Path dir) throws Exception {
        Path module = dir.resolve("modules/pair");
        Files.createDirectories(module);
        Files.writeString(module.resolve("main.fleet"), """
                meta { version = "1.2.0" }
                variable "prefix" { type = string }
                variable "idc" {}
                variable "image" {}
                zones "pair" from 1 to 2 as p {
                  name = "${var.prefix}-${p.index}"
                  idc  = var.idc
                  service "s" { image = var.image  cpu = 1 core  memory = 1Gi }
                }
                output "names" { value = [for z in zones.pair : z.name] }
                """);
        Files.writeString(dir.resolve("main.fleet"), Fleets.BASE + """
                module "duo" {
                  source  = "./modules/pair"
                  version = "~> 1.0"
                  prefix  = "duo"
                  idc     = idc.dc1
                  image   = image.app
                }
                output "from_module" { value = module.duo.names }
                """);
        io.fleetform.dsl.diag.Diagnostics diagnostics = new io.fleetform.dsl.diag.Diagnostics();
        var parsed = new io.fleetform.dsl.parse.FleetParser().parse("main.fleet", Files.readString(dir.resolve("main.fleet")));
        Fleet fleet = new FleetEvaluator(io.fleetform.engine.eval.function.FunctionRegistry.of(List.of()),
                new ModuleResolver(List.of())).evaluate(dir, List.of(parsed.fileOrThrow()),
                EvalOptions.defaults().withEnvironment(Map.of()), diagnostics);
        assertThat(diagnostics.sorted()).isEmpty();
        assertThat(fleet.zones()).extracting(Zone::name).containsExactly("duo-1", "duo-2");
        assertThat(fleet.zones().get(0).origin()).contains("module.duo");
        assertThat(fleet.outputs().get(0).value().display()).isEqualTo("[\"duo-1\", \"duo-2\"]");
    }
}
