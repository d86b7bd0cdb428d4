package io.fleetform.cli.command;

import picocli.CommandLine;

final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"fleetform " + (version == null ? "development build" : version)};
    }
}
