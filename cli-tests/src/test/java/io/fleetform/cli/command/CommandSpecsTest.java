package io.fleetform.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The models the build writes as code ({@code CommandSpecs}, by cli-codegen's processor) are the
 * models picocli reads from the same annotations by reflection: for every command and subcommand,
 * the help text and every attribute of every option and positional parameter, the mixins, and what
 * a parse puts into the command's fields.
 */
class CommandSpecsTest {
    private static final CommandLine.IFactory FACTORY = CommandLine.defaultFactory();

    @Test
    void everyGeneratedModelIsPicocliSReadingOfTheAnnotations() {
        int compared = 0;
        for (Class<?> command : everyCommand()) {
            CommandLine annotated = new CommandLine(command, FACTORY);
            CommandLine generated = new CommandLine(CommandSpecs.of(command, FACTORY), FACTORY);
            compared += compare(annotated, generated, command.getSimpleName());
        }
        // Not a comparison of two empty lists: the commands' options and parameters were all seen.
        assertThat(compared).isGreaterThan(150);
    }

    /** Every command a command line can start with, and the root. */
    private static List<Class<?>> everyCommand() {
        List<Class<?>> commands = new ArrayList<>(List.of(FleetformCommand.COMMANDS));
        commands.add(FleetformCommand.class);
        return commands;
    }

    /** The number of arguments compared, in this command and its subcommands. */
    private static int compare(CommandLine annotated, CommandLine generated, String where) {
        CommandSpec a = annotated.getCommandSpec();
        CommandSpec g = generated.getCommandSpec();
        assertThat(g.name()).as(where).isEqualTo(a.name());
        assertThat(generated.getUsageMessage(CommandLine.Help.Ansi.OFF)).as(where + " help")
                .isEqualTo(annotated.getUsageMessage(CommandLine.Help.Ansi.OFF));
        assertThat(g.mixins().keySet()).as(where + " mixins").containsExactlyElementsOf(a.mixins().keySet());
        assertThat(g.mixinStandardHelpOptions()).as(where).isEqualTo(a.mixinStandardHelpOptions());
        assertThat(g.versionProvider() == null ? null : g.versionProvider().getClass()).as(where)
                .isEqualTo(a.versionProvider() == null ? null : a.versionProvider().getClass());
        assertThat(g.userObject().getClass()).as(where).isEqualTo(a.userObject().getClass());
        assertThat(attributes(g.options())).as(where + " options").isEqualTo(attributes(a.options()));
        assertThat(attributes(g.positionalParameters())).as(where + " parameters")
                .isEqualTo(attributes(a.positionalParameters()));
        for (Map.Entry<String, CommandSpec> mixin : a.mixins().entrySet()) {
            assertThat(attributes(g.mixins().get(mixin.getKey()).args())).as(where + " mixin " + mixin.getKey())
                    .isEqualTo(attributes(mixin.getValue().args()));
            if (!mixin.getKey().equals("mixinStandardHelpOptions")) { // picocli's own is of a class private to it
                assertThat(g.mixins().get(mixin.getKey()).userObject().getClass())
                        .isEqualTo(mixin.getValue().userObject().getClass());
            }
        }
        assertThat(generated.getSubcommands().keySet()).as(where + " subcommands")
                .containsExactlyElementsOf(annotated.getSubcommands().keySet());
        int compared = a.args().size();
        for (String sub : annotated.getSubcommands().keySet()) {
            compared += compare(annotated.getSubcommands().get(sub), generated.getSubcommands().get(sub),
                    where + " " + sub);
        }
        return compared;
    }

    /** Every attribute of each argument picocli uses to parse it, show it in help, or set it. */
    private static List<Map<String, Object>> attributes(List<? extends ArgSpec> args) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (ArgSpec arg : args) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arity", arg.arity() + (arg.arity().isUnspecified() ? " unspecified" : ""));
            m.put("type", arg.type());
            m.put("auxiliaryTypes", Arrays.asList(arg.auxiliaryTypes()));
            m.put("multiValue", arg.isMultiValue());
            m.put("paramLabel", arg.paramLabel());
            m.put("description", Arrays.asList(arg.description()));
            m.put("descriptionKey", arg.descriptionKey());
            m.put("defaultValue", arg.defaultValue());
            m.put("required", arg.required());
            m.put("hidden", arg.hidden());
            m.put("interactive", arg.interactive());
            m.put("hideParamSyntax", arg.hideParamSyntax());
            m.put("splitRegex", arg.splitRegex());
            m.put("showDefaultValue", arg.showDefaultValue());
            m.put("scopeType", arg.scopeType());
            m.put("inherited", arg.inherited());
            m.put("converters", arg.converters().length);
            m.put("completionCandidates", arg.completionCandidates());
            m.put("hasInitialValue", arg.hasInitialValue());
            m.put("initialValue", arg.hasInitialValue() ? arg.initialValue() : null);
            m.put("value", arg.getValue());
            if (arg instanceof OptionSpec o) {
                m.put("names", Arrays.asList(o.names()));
                m.put("usageHelp", o.usageHelp());
                m.put("versionHelp", o.versionHelp());
                m.put("negatable", o.negatable());
                m.put("fallbackValue", o.fallbackValue());
                m.put("order", o.order());
            }
            if (arg instanceof PositionalParamSpec p) {
                m.put("index", p.index().toString());
            }
            all.add(m);
        }
        return all;
    }

    @Test
    void noOptionIsOfATypeWhoseConverterMainLeavesOut() {
        List<String> types = new ArrayList<>();
        for (Class<?> command : everyCommand()) {
            types(new CommandLine(CommandSpecs.of(command, FACTORY), FACTORY), types);
        }
        assertThat(types).contains("java.nio.file.Path", "java.lang.String", "int")
                .noneMatch(type -> type.matches(io.fleetform.cli.Main.CONVERTERS_LEFT_OUT));
        // And the expression does leave out what it is meant to.
        assertThat("java.time.Duration").matches(io.fleetform.cli.Main.CONVERTERS_LEFT_OUT);
        assertThat("java.sql.Timestamp").matches(io.fleetform.cli.Main.CONVERTERS_LEFT_OUT);
    }

    private static void types(CommandLine command, List<String> types) {
        for (ArgSpec arg : command.getCommandSpec().args()) {
            types.add(arg.type().getName());
            for (Class<?> auxiliary : arg.auxiliaryTypes()) {
                types.add(auxiliary.getName());
            }
        }
        command.getSubcommands().values().forEach(sub -> types(sub, types));
    }

    @Test
    void aParseSetsTheSameFieldsThroughTheGeneratedModel() {
        // Options of every kind the commands use: a list, a path, a positional with a default, an option method
        // (--parallelism), a boolean with an explicit arity (--refresh), mixins of mixins (--git-ca-file).
        PlanCommand plan = parse(PlanCommand.class, "fleetdir", "--var", "a=1", "--var", "b=2", "--var-file",
                "v.tfvars", "--parallelism", "7", "--refresh", "false", "--target", "zone.s1*", "--json");
        assertThat(plan.fleet.dir).isEqualTo(Path.of("fleetdir"));
        assertThat(plan.fleet.vars).containsExactly("a=1", "b=2");
        assertThat(plan.fleet.varFiles).containsExactly(Path.of("v.tfvars"));
        assertThat(plan.selection.parallelism).isEqualTo(7);
        assertThat(plan.selection.refresh).isFalse();
        assertThat(plan.selection.targets).containsExactly("zone.s1*");
        assertThat(plan.json).isTrue();

        PlanCommand defaults = parse(PlanCommand.class);
        assertThat(defaults.fleet.dir).isEqualTo(Path.of("."));
        assertThat(defaults.selection.parallelism).isEqualTo(10);
        assertThat(defaults.selection.refresh).isTrue();
        assertThat(defaults.fleet.vars).isEmpty();

        ValidateCommand validate = parse(ValidateCommand.class, "--git", "https://example.invalid/f.git",
                "--git-ca-file", "ca.pem");
        assertThat(validate.source.git).isEqualTo("https://example.invalid/f.git");
        assertThat(validate.source.trust.caFile).isEqualTo(Path.of("ca.pem"));
    }

    @Test
    void anOptionMethodStillRefusesABadValueAsTheCommandLineIsRead() {
        CommandLine cli = new CommandLine(CommandSpecs.of(PlanCommand.class, FACTORY), FACTORY);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cli.parseArgs("--parallelism", "0"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--parallelism must be from 1 to 1000");
    }

    private static <T> T parse(Class<T> command, String... args) {
        CommandSpec spec = CommandSpecs.of(command, FACTORY);
        new CommandLine(spec, FACTORY).parseArgs(args);
        return command.cast(spec.userObject());
    }
}
