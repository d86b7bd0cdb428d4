package io.fleetform.provider.sriov;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A VF's settings on its PF, as {@code ip link set <pf> vf N ...} sets them and {@code ip -d -j link show}
 * reports them.
 *
 * @param vlan         802.1Q VLAN id the VF's traffic is tagged with (0 = none)
 * @param qos          802.1p priority of that VLAN (0..7; needs a VLAN)
 * @param mac          the VF's MAC address (lower case); {@code 00:00:00:00:00:00} leaves it to the driver
 * @param spoofCheck   whether the PF drops frames the VF sends from another MAC
 * @param trust        whether the VF may change its MAC, go promiscuous and so on
 * @param minTxMbps    guaranteed transmit rate in Mbit/s (0 = none)
 * @param maxTxMbps    transmit rate cap in Mbit/s (0 = none)
 * @param linkState    {@code auto} (follows the PF), {@code enable} or {@code disable}
 */
public record VfSettings(int vlan, int qos, String mac, boolean spoofCheck, boolean trust, long minTxMbps,
                         long maxTxMbps, String linkState) {
    public static final String NO_MAC = "00:00:00:00:00:00";
    static final Set<String> LINK_STATES = Set.of("auto", "enable", "disable");

    /** What a VF is given back when its instance goes: no VLAN, no MAC, spoof check on, not trusted, no rates. */
    public static final VfSettings RESET = new VfSettings(0, 0, NO_MAC, true, false, 0, 0, "auto");

    public VfSettings {
        if (vlan < 0 || vlan > 4094) {
            throw new IllegalArgumentException("vlan " + vlan + " is not within 0..4094");
        }
        if (qos < 0 || qos > 7) {
            throw new IllegalArgumentException("qos " + qos + " is not within 0..7");
        }
        if (qos != 0 && vlan == 0) {
            throw new IllegalArgumentException("qos " + qos + " needs a vlan");
        }
        mac = mac == null ? NO_MAC : mac.toLowerCase(Locale.ROOT);
        if (!mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new IllegalArgumentException("mac '" + mac + "' is not a MAC address");
        }
        if (minTxMbps < 0 || maxTxMbps < 0 || (maxTxMbps > 0 && minTxMbps > maxTxMbps)) {
            throw new IllegalArgumentException("rates must be >= 0 with min_tx_rate <= max_tx_rate");
        }
        linkState = linkState == null ? "auto" : linkState.toLowerCase(Locale.ROOT);
        if (!LINK_STATES.contains(linkState)) {
            throw new IllegalArgumentException("link state '" + linkState + "' is not one of auto, enable, disable");
        }
    }

    /** The arguments after {@code ip link set dev <pf> vf <index>}, every setting given so none is left over. */
    List<String> ipLinkArguments() {
        List<String> out = new ArrayList<>();
        out.add("vlan");
        out.add(Integer.toString(vlan));
        if (vlan != 0) {
            out.add("qos");
            out.add(Integer.toString(qos));
        }
        out.addAll(List.of("mac", mac, "spoofchk", spoofCheck ? "on" : "off", "trust", trust ? "on" : "off",
                "min_tx_rate", Long.toString(minTxMbps), "max_tx_rate", Long.toString(maxTxMbps), "state", linkState));
        return out;
    }

    /** In words, for plans and messages. */
    public String describe() {
        return "vlan " + vlan + (vlan != 0 ? " qos " + qos : "") + ", mac " + mac + ", spoofchk "
                + (spoofCheck ? "on" : "off") + ", trust " + (trust ? "on" : "off") + ", min_tx_rate " + minTxMbps
                + ", max_tx_rate " + maxTxMbps + ", state " + linkState;
    }
}
