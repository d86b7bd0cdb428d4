package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.address.ResourceAddress;

/** A resource address typed on the command line: a mistake in it is the user's (exit 64), not a bug. */
final class AddressArgument {
    private AddressArgument() {
    }

    static ResourceAddress parse(String text) {
        try {
            return new ResourceAddress(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "\"" + text + "\" is not a resource address: addresses have no"
                    + " spaces and are not empty, e.g. zone.s1.service.game[0] (fleetform state list shows them)");
        }
    }
}
