package io.fleetform.cli.command;

import picocli.CommandLine.Command;

/** {@code fleetform destroy [DIR]}: apply a plan that destroys everything in the state. */
@Command(name = "destroy", description = "Destroy everything the state records (plans first and asks).")
final class DestroyCommand extends ApplyCommand {
    @Override
    boolean destroying() {
        return true;
    }
}
