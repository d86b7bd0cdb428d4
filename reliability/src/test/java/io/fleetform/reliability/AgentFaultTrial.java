package io.fleetform.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A real {@code fleetform agent} behind the fault proxy: create, resize and re-image the fleet
 * while a share of its requests are dropped, delayed or cut part-way through the answer (those
 * applies may fail: that is allowed). Then the network heals and the common checks run.
 */
final class AgentFaultTrial {
    static final double CHANCE = 0.2;

    private AgentFaultTrial() {
    }

    static Outcome run(Path base, Random random) throws IOException, InterruptedException {
        String kind = "agent faults";
        Path agentDir = base.resolve("agent-" + Long.toHexString(random.nextLong() & 0xffffffL));
        try (Agent agent = Agent.start(agentDir);
             FaultProxy proxy = FaultProxy.start(agent.port(), random.nextLong(), CHANCE)) {
            TrialFleet fleet = TrialFleet.remote(base, "agent", random, "127.0.0.1:" + proxy.port(), agent);
            try {
                List<Integer> exits = new ArrayList<>();
                fleet.write(2, 64, "1");
                exits.add(fleet.apply().exitCode());
                fleet.write(2, 96, "1");
                exits.add(fleet.apply().exitCode());
                fleet.write(2, 96, "2");
                exits.add(fleet.apply().exitCode());
                proxy.faulty(false);
                System.out.println("  agent faults: " + proxy.summary() + "; apply exit codes under faults " + exits);
                Outcome outcome = Inspection.afterFault(kind, fleet);
                return outcome.clean() ? outcome : KillTrial.withNote(outcome, proxy.summary());
            } finally {
                proxy.faulty(false);
                fleet.cleanUp();
            }
        }
    }
}
