package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One service of a zone, with everything needed to run and place its instances. */
public record Service(
        String name,
        String zone,
        String image,
        int replicas,
        Cpu cpu,
        long memoryBytes,
        Optional<Disk> disk,
        Optional<IoLimits> io,
        Network network,
        Spread spread,
        Workload workload,
        Init init,
        Map<String, Integer> ports,
        List<EnvVar> env,
        List<String> command,
        Map<String, String> configFiles,
        Lifecycle lifecycle,
        Optional<HealthCheck> health,
        Optional<String> template,
        SourceSpan span) {

    public Service {
        ports = Map.copyOf(ports);
        env = List.copyOf(env);
        command = List.copyOf(command);
        configFiles = Map.copyOf(configFiles);
    }

    public String address() {
        return "zone." + zone + ".service." + name;
    }

    /** The address of one instance: {@code zone.s12.service.logic[0]}. */
    public String instanceAddress(int ordinal) {
        return address() + "[" + ordinal + "]";
    }
}
