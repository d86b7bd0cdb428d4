package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.IrqBinding;
import io.fleetform.engine.model.NetworkMode;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Spread;
import io.fleetform.engine.model.Workload;
import io.fleetform.engine.model.Zone;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The examples evaluate to the model their files describe. */
class ExamplesTest {
    private static final Map<String, String> SECRETS = Map.of(
            "FLEETFORM_SECRET_AGENT_TOKEN", "agent-s3cret",
            "FLEETFORM_SECRET_MT2_DB", "db-s3cret",
            "FLEETFORM_SECRET_RACING_REGISTRY", "registry-s3cret",
            "REGISTRY_TOKEN", "token-s3cret");

    static Fleet load(String example) {
        LoadResult result = FleetLoader.fromClassPath().load(Path.of("../examples", example),
                EvalOptions.defaults().withEnvironment(SECRETS).requiringSecrets());
        assertThat(result.diagnostics()).as(example + " diagnostics").isEmpty();
        return result.fleetOrThrow();
    }

    @Test
    void mt2() {
        Fleet fleet = load("mt2");
        assertThat(fleet.name()).isEqualTo("mt2");
        assertThat(fleet.zones()).hasSize(45);
        Zone s1 = fleet.zone("s1").orElseThrow();
        assertThat(s1.idc()).isEqualTo("sh-pudong");
        assertThat(s1.module()).contains("m1");
        assertThat(fleet.zone("s2").orElseThrow().module()).contains("m2");
        assertThat(s1.labels()).containsEntry("shard", "s001");
        assertThat(s1.lifecycle().preventDestroy()).isTrue();
        Service bigLogic = s1.service("logic").orElseThrow();
        assertThat(bigLogic.cpu().pinned()).isTrue();
        assertThat(bigLogic.cpu().wholeCores()).isEqualTo(16);
        assertThat(bigLogic.memoryBytes()).isEqualTo(32L << 30);
        assertThat(bigLogic.disk().orElseThrow().sizeBytes()).isEqualTo(200L << 30);
        assertThat(bigLogic.disk().orElseThrow().keepOnReplace()).isTrue();
        assertThat(bigLogic.network().mode()).isEqualTo(NetworkMode.SRIOV);
        assertThat(bigLogic.network().sriov().orElseThrow().vlan()).contains(120);
        assertThat(bigLogic.network().sriov().orElseThrow().irq()).isEqualTo(IrqBinding.LOCAL);
        assertThat(bigLogic.network().sriov().orElseThrow().rps()).isTrue();
        assertThat(bigLogic.spread()).isEqualTo(Spread.HOST);
        assertThat(bigLogic.env()).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("DB_PASS");
            assertThat(e.sensitive()).isTrue();
        });
        Service logic = fleet.zone("s11").orElseThrow().service("logic").orElseThrow();
        assertThat(logic.cpu().wholeCores()).isEqualTo(8);
        assertThat(logic.memoryBytes()).isEqualTo(16L << 30);
        assertThat(fleet.zone("s21").orElseThrow().idc()).isEqualTo("sz-nanshan");
        assertThat(fleet.zone("s21").orElseThrow().module()).isEmpty();
        assertThat(s1.service("access").orElseThrow().replicas()).isEqualTo(2);
        assertThat(s1.service("dbproxy").orElseThrow().cpu().millicores()).isEqualTo(500);
        assertThat(fleet.zone("bz2").orElseThrow().origin()).contains("module.battle");
        assertThat(fleet.zone("ev3").orElseThrow().service("access").orElseThrow().ports()).containsEntry("game", 7003);
        assertThat(fleet.images().get(0).replicateTo()).containsExactly("sh-mirror");
        assertThat(fleet.images().get(0).tag()).contains("1.4.2");
        assertThat(fleet.hostPools().get(0).agents()).containsExactly("10.20.0.11:7700", "10.20.0.12:7700",
                "10.20.0.13:7700");
        assertThat(fleet.hostPools().get(0).token().orElseThrow().value()).isEqualTo("agent-s3cret");
        assertThat(fleet.rollouts().get(0).stages()).extracting(s -> s.name())
                .containsExactly("canary", "single-idc", "full");
        assertThat(fleet.rollouts().get(0).stages().get(2).manualApproval()).isTrue();
        assertThat(fleet.outputs().get(1).value().display()).isEqualTo("[\"ev1\", \"ev2\", \"ev3\"]");
    }

    @Test
    void racing() {
        Fleet fleet = load("racing");
        assertThat(fleet.zones()).extracting(Zone::name).containsExactly("race-eu", "race-us", "race-ap");
        Zone eu = fleet.zone("race-eu").orElseThrow();
        assertThat(eu.idc()).isEqualTo("fra");
        assertThat(fleet.zone("race-ap").orElseThrow().idc()).isEqualTo("sin");
        assertThat(eu.service("edge").orElseThrow().replicas()).isEqualTo(3);
        assertThat(fleet.zone("race-us").orElseThrow().service("edge").orElseThrow().replicas()).isEqualTo(2);
        var sriov = eu.service("edge").orElseThrow().network().sriov().orElseThrow();
        assertThat(sriov.trust()).isTrue();
        assertThat(sriov.maxRateBytesPerSecond()).isEqualTo(1_250_000_000L);
        Service matchmaker = eu.service("matchmaker").orElseThrow();
        assertThat(matchmaker.workload()).isEqualTo(Workload.DEPLOYMENT);
        assertThat(matchmaker.network().mode()).isEqualTo(NetworkMode.OVERLAY);
        assertThat(matchmaker.replicas()).isEqualTo(3);
        assertThat(eu.service("race").orElseThrow().command()).containsExactly("/svc", "race-server", "--region=eu");
        assertThat(fleet.registries().get(0).auth().orElseThrow().source()).isEqualTo("secret racing-registry");
    }

    @Test
    void language() {
        Fleet fleet = load("language");
        assertThat(fleet.zones()).extracting(Zone::name).containsExactly("dc-east", "dc-west");
        Zone west = fleet.zone("dc-west").orElseThrow();
        assertThat(west.idc()).isEqualTo("west");
        assertThat(west.services()).extracting(Service::name).containsExactly("worker-match", "worker-chat");
        Service match = west.service("worker-match").orElseThrow();
        assertThat(match.replicas()).isEqualTo(2);
        assertThat(match.cpu().millicores()).isEqualTo(250);
        assertThat(match.command()).containsExactly("sh", "-c", "echo match in west; sleep 3600");
        assertThat(match.configFiles()).containsValue("kind: match\nslots: 2000\n");
        assertThat(fleet.outputs().get(0).value().display()).contains("[\"eu-gw\", \"us-gw\"]");
        assertThat(match.configFiles()).containsEntry("/etc/motd", "match worker in west\n  slots: ${SLOTS}\n");
        assertThat(fleet.instanceCount()).isEqualTo(6);
    }

    @Test
    void quickstart() {
        Fleet fleet = load("quickstart");
        assertThat(fleet.zones()).extracting(Zone::name).containsExactly("toy1", "toy2");
        Service game = fleet.zone("toy2").orElseThrow().service("game").orElseThrow();
        assertThat(game.cpu().millicores()).isEqualTo(250);
        assertThat(game.memoryBytes()).isEqualTo(64L << 20);
        assertThat(game.ports()).containsEntry("game", 7002);
        assertThat(fleet.images().get(0).registry()).isEmpty();
        assertThat(fleet.hostPools().get(0).local()).isTrue();
    }

    @Test
    void aMissingSecretIsAnErrorWhenPlanning() {
        LoadResult result = FleetLoader.fromClassPath().load(Path.of("../examples/racing"),
                EvalOptions.defaults().withEnvironment(Map.of()).requiringSecrets());
        assertThat(result.hasErrors()).isTrue();
        assertThat(result.diagnostics()).anySatisfy(d ->
                assertThat(d.message()).isEqualTo("secret(): secret \"racing-registry\" is not set"));
    }
}
