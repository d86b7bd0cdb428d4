package io.fleetform.provider.sriov;

/**
 * What an instance asks of its VF (part of the container spec the agent is given).
 *
 * @param vf       the VF's PCI address, as the instance's allocation holds it
 * @param settings its settings on the PF
 * @param ifname   the netdev's name inside the container
 * @param cidr     the instance's IPv4 with the prefix of its IDC's ip_pool ({@code 10.20.0.5/24})
 * @param gateway  the default route's gateway, or null for none
 * @param mtu      the netdev's MTU inside the container
 * @param irqLocal whether the VF's MSI IRQs go to the instance's pinned cores ({@code irq = local})
 * @param rps      whether receive packet steering spreads the VF's queues over those cores ({@code rps = on})
 */
public record SriovSpec(String vf, VfSettings settings, String ifname, String cidr, String gateway, int mtu,
                        boolean irqLocal, boolean rps) {
    public SriovSpec {
        if (vf == null || !vf.matches("[0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]")) {
            throw new IllegalArgumentException("sriov.vf '" + vf + "' must be a PCI address like 0000:3b:02.0");
        }
        vf = vf.toLowerCase();
        settings = settings == null ? VfSettings.RESET : settings;
        ifname = ifname == null ? "eth0" : ifname;
        if (!ifname.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("sriov.ifname '" + ifname + "' is not an interface name");
        }
        if (cidr == null || !cidr.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}")) {
            throw new IllegalArgumentException("sriov.cidr '" + cidr + "' must be an IPv4 with its prefix, 10.0.0.5/24");
        }
        if (gateway != null && !gateway.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            throw new IllegalArgumentException("sriov.gateway '" + gateway + "' must be an IPv4 address");
        }
        mtu = mtu == 0 ? 1500 : mtu;
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("sriov.mtu " + mtu + " is not within 68..65535");
        }
    }

    /** The instance's IPv4 without its prefix. */
    public String ipv4() {
        return cidr.substring(0, cidr.indexOf('/'));
    }
}
