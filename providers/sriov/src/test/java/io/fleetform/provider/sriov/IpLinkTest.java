package io.fleetform.provider.sriov;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real path's commands and answers, without a NIC: what is run, and iproute2's JSON read back. */
class IpLinkTest {
    @Test
    void everySettingIsGivenSoNoneIsLeftFromBefore() {
        List<List<String>> ran = new ArrayList<>();
        new IpLink(argv -> {
            ran.add(argv);
            return "";
        }).setVf("ens1f0", 3, new VfSettings(120, 5, "02:00:00:00:00:0A", true, false, 0, 2000, "auto"));
        assertThat(ran).containsExactly(List.of("ip", "link", "set", "dev", "ens1f0", "vf", "3", "vlan", "120", "qos",
                "5", "mac", "02:00:00:00:00:0a", "spoofchk", "on", "trust", "off", "min_tx_rate", "0", "max_tx_rate",
                "2000", "state", "auto"));
    }

    @Test
    void readsIproutesVfList() {
        // the shape of `ip -d -j link show dev <pf>` from iproute2 6.x on an ice/mlx5 PF
        String json = "[{\"ifindex\":4,\"ifname\":\"ens1f0\",\"mtu\":9000,\"num_vf\":2,\"vfinfo_list\":["
                + "{\"vf\":0,\"address\":\"02:aa:00:00:00:05\",\"vlan_list\":[{\"vlan\":120,\"qos\":3}],"
                + "\"rate\":{\"max_tx\":1000,\"min_tx\":100},\"spoofchk\":false,\"link_state\":\"enable\","
                + "\"trust\":true,\"query_rss_en\":false},"
                + "{\"vf\":1,\"address\":\"00:00:00:00:00:00\",\"rate\":{\"max_tx\":0,\"min_tx\":0},"
                + "\"spoofchk\":true,\"link_state\":\"auto\",\"trust\":false}]}]";
        var vfs = IpLink.parseVfs(json);
        assertThat(vfs.get(0)).isEqualTo(new VfSettings(120, 3, "02:aa:00:00:00:05", false, true, 100, 1000, "enable"));
        assertThat(vfs.get(1)).isEqualTo(VfSettings.RESET);
    }

    @Test
    void theVfMovesByNetnsAndIsConfiguredInsideThroughNsenter() {
        List<List<String>> ran = new ArrayList<>();
        new IpLink(argv -> {
            ran.add(argv);
            return "[]";
        }).moveInto("ens1f0v3", 4242, "eth0");
        assertThat(ran).containsExactly(List.of("ip", "link", "set", "dev", "ens1f0v3", "netns", "4242"),
                List.of("nsenter", "-t", "4242", "-n", "ip", "link", "set", "dev", "ens1f0v3", "name", "eth0"));
    }
}
