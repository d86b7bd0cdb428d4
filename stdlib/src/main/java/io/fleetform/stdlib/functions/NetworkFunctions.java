package io.fleetform.stdlib.functions;

import io.fleetform.engine.net.Cidr;
import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.StringValue;
import java.util.List;

/** IPv4 network arithmetic for IP pools and per-zone subnets. */
final class NetworkFunctions {
    private NetworkFunctions() {
    }

    static List<FleetFunction> all() {
        return List.of(
                Fn.of("cidrhost(prefix string, host number) string", 2, 2, (a, c) -> {
                    long[] net = network(a.string(0), 0);
                    long size = 1L << (32 - net[1]);
                    long host = a.integer(1);
                    if (host < 0) {
                        host += size;
                    }
                    if (host < 0 || host >= size) {
                        throw FunctionError.at(1, "host " + a.integer(1) + " is outside " + a.string(0) + " ("
                                + size + " addresses)");
                    }
                    return new StringValue(Cidr.format(net[0] + host));
                }),
                Fn.of("cidrsubnet(prefix string, newbits number, netnum number) string", 3, 3, (a, c) -> {
                    long[] net = network(a.string(0), 0);
                    int newBits = a.integer(1);
                    long length = net[1] + newBits;
                    if (newBits < 1 || length > 32) {
                        throw FunctionError.at(1, "cannot add " + newBits + " bits to a /" + net[1]);
                    }
                    long number = a.integer(2);
                    if (number < 0 || number >= (1L << newBits)) {
                        throw FunctionError.at(2, "subnet " + number + " does not fit in " + newBits + " bits");
                    }
                    long base = net[0] + (number << (32 - length));
                    return new StringValue(Cidr.format(base) + "/" + length);
                }),
                Fn.of("cidrnetmask(prefix string) string", 1, 1, (a, c) -> {
                    long[] net = network(a.string(0), 0);
                    long mask = net[1] == 0 ? 0 : (0xFFFFFFFFL << (32 - net[1])) & 0xFFFFFFFFL;
                    return new StringValue(Cidr.format(mask));
                }),
                Fn.of("cidrcontains(prefix string, address string) bool", 2, 2, (a, c) -> {
                    long[] net = network(a.string(0), 0);
                    long address = Cidr.parseAddress(a.string(1));
                    if (address < 0) {
                        throw FunctionError.at(1, "\"" + a.string(1) + "\" is not an IPv4 address");
                    }
                    long mask = net[1] == 0 ? 0 : (0xFFFFFFFFL << (32 - net[1])) & 0xFFFFFFFFL;
                    return BoolValue.of((address & mask) == net[0]);
                }));
    }

    /** {network address, prefix length} of a CIDR, the address masked to the network. */
    private static long[] network(String cidr, int argument) throws FunctionError {
        if (!Cidr.isValid(cidr)) {
            throw FunctionError.at(argument, "\"" + cidr + "\" is not an IPv4 network such as \"10.20.0.0/22\"");
        }
        String[] parts = cidr.split("/");
        int length = Integer.parseInt(parts[1]);
        long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        return new long[] {Cidr.parseAddress(parts[0]) & mask, length};
    }
}
