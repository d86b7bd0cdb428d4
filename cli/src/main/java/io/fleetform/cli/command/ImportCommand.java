package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ImportResponse;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code fleetform import ADDRESS ID [DIR]}: adopt an existing object as the resource the fleet declares at ADDRESS. */
@Command(name = "import", description = "Adopt an existing object into the state.")
final class ImportCommand implements Callable<Integer>, TerminalAware {
    @Parameters(index = "0", paramLabel = "ADDRESS")
    String address;

    @Parameters(index = "1", paramLabel = "ID", description = "The provider's own name of the object.")
    String id;

    @Parameters(index = "2", arity = "0..1", defaultValue = ".", paramLabel = "DIR", description = "The fleet folder.")
    java.nio.file.Path dir;

    @picocli.CommandLine.Option(names = {"-var", "--var"}, paramLabel = "NAME=VALUE", description = "Set a variable.")
    java.util.List<String> vars = new java.util.ArrayList<>();

    private final FleetOptions fleet = new FleetOptions();

    @Mixin
    StateOptions state;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws StateException {
        AddressArgument.parse(address); // before the fleet is read: a typo is a usage mistake
        fleet.dir = dir;
        fleet.vars = vars;
        try (Workspace workspace = Engine.workspace(fleet, state, terminal)) {
            return call(workspace);
        }
    }

    /** The command with its workspace, whose provider sessions close when it ends. */
    private Integer call(Workspace workspace) throws StateException {
        Workspace.Outcome<Workspace.Configuration> configuration = workspace.configuration();
        Engine.report(configuration.diagnostics(), fleet, terminal);
        Resource desired = configuration.value().byAddress().get(AddressArgument.parse(address));
        if (desired == null) {
            throw new CliException(ExitCode.ERROR, "the fleet declares no resource " + address
                    + "; declare it first, then import");
        }
        ProviderSession provider = workspace.sessions(java.util.Optional.of(configuration.value().fleet()))
                .get(desired.provider()).orElseThrow();
        StateLock lock = Engine.lock(workspace, "import");
        try {
            State current = workspace.backend().read().orElseGet(State::empty);
            if (current.resource(desired.address()).isPresent()) {
                throw new CliException(ExitCode.ERROR, address + " is already in the state");
            }
            ImportResponse response;
            try {
                response = provider.importResource(new ImportRequest(desired.address(), desired.type(), id,
                        workspace.context()));
            } catch (ProviderException e) {
                // the remote answer may quote a secret of the fleet (as apply's answers may)
                throw new CliException(ExitCode.ERROR, "importing " + address + " failed: "
                        + configuration.value().secrets().redact(e.getMessage()));
            }
            if (response.attributes().isEmpty()) {
                throw new CliException(ExitCode.ERROR, "provider " + desired.provider() + " found no object \"" + id
                        + "\" for " + address);
            }
            // What the provider read may hold secrets in clear (a Kubernetes Secret's data): the state keeps only
            // their hashes, as refresh does.
            java.util.Map<String, Object> attributes = io.fleetform.engine.resource.SecretsPolicy.protect(
                    io.fleetform.engine.resource.Attributes.normalize(response.attributes().get()),
                    desired.sensitive(), current.lineage(), java.util.Map.of());
            ResourceState imported = new ResourceState(desired.address(), desired.type(), desired.provider(),
                    attributes, desired.sensitive(), desired.dependsOn(), desired.lifecycle());
            workspace.backend().write(current.with(imported).nextSerial());
        } finally {
            Engine.unlock(lock);
        }
        terminal.out().println("Imported " + id + " as " + address + ". Run plan to see how it differs from the fleet.");
        return ExitCode.OK;
    }
}
