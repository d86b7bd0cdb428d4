package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every form of {@code network = sriov} validates (the attribute form once crashed validate with a
 * NullPointerException): attribute or block, pinned or shared CPU; {@code irq} defaults to {@code local} where
 * there are pinned cores and to {@code any} where there are none. The mistakes are golden diagnostics.
 */
class SriovNetworkFormsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
            "cpu = 2 cores pinned\n    network = sriov",
            "cpu = 250m\n    network = sriov",
            "cpu = 2 cores\n    network = \"sriov\"",
            "cpu = 2 cores pinned\n    network sriov {}",
            "cpu = 250m\n    network sriov { vlan = 120  qos = 5  link_state = enable  mtu = 9000  irq = any }",
            "cpu = 2 cores pinned\n    network sriov { irq = local  rps = on  trust = true  spoofchk = false }"})
    void validates(String service) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "g" { owner = "ops" }
                image "app" {
                  name = "g/app"
                  tag  = "1"
                }
                hosts "pool" { local = true }
                idc "dc1" {
                  region  = "r1"
                  target  = hosts.pool
                  ip_pool = "10.0.0.0/24"
                }
                zone "z1" {
                  idc = idc.dc1
                  service "logic" {
                    image  = image.app
                    memory = 1Gi
                    %s
                  }
                }
                """.formatted(service));
        CliRunner.Result r = CliRunner.run("validate", "--no-color", dir.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).doesNotContain("Exception");
    }
}
