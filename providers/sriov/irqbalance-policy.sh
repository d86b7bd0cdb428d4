#!/bin/sh
# irqbalance policy script: install as IRQBALANCE_ARGS="--policyscript=/usr/local/lib/fleetform/irqbalance-policy.sh"
# (/etc/default/irqbalance or /etc/sysconfig/irqbalance). irqbalance runs it for each IRQ at every rescan with
# the device's sysfs path and the IRQ number; "ban=true" makes it leave that IRQ's smp_affinity alone.
# The Fleetform agent lists the MSI IRQs of the SR-IOV VFs it bound to an instance's cores (irq = local).
banned="${FLEETFORM_IRQBALANCE_BANS:-/run/fleetform/irqbalance-banned-irqs}"
if [ -r "$banned" ] && awk -v irq="$2" '$1 == irq { found = 1 } END { exit !found }' "$banned"; then
    echo "ban=true"
fi
exit 0
