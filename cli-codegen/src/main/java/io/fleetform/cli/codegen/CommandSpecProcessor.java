package io.fleetform.cli.codegen;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.tools.Diagnostic;

/**
 * Writes, for the classes annotated with picocli's {@code @Command}, the code that builds the same
 * {@code CommandSpec} picocli builds from the annotations at run time, into one class
 * ({@code CommandSpecs}) of the commands' package.
 *
 * <p>Why: picocli reads a command's annotations by reflection on every start. Each annotation type
 * read makes a dynamic proxy class, which no class-data-sharing archive holds, and the reflection
 * over the fields and their generic types runs interpreted: about a third of a short command's
 * start (a 4-zone {@code validate}) went there. The generated code makes the same model with
 * picocli's programmatic API and plain field access, and the annotations stay the one place a
 * reader (and {@code --help}) finds the options.
 *
 * <p>It follows picocli 4.7's reading of exactly the attributes Fleetform's commands use (see
 * {@link #SUPPORTED}): any other attribute, or a member picocli would read that this code does not
 * know, stops the build with an error naming it, so the model written can never quietly differ from
 * the annotations. A test (CommandSpecsTest) compares the two models, help text and every argument,
 * for every command.
 */
@SupportedAnnotationTypes("picocli.CommandLine.Command")
public final class CommandSpecProcessor extends AbstractProcessor {
    private static final String PICOCLI = "picocli.CommandLine.";
    /** The attributes understood, by picocli annotation. */
    static final Map<String, Set<String>> SUPPORTED = Map.of(
            "Command", Set.of("name", "description", "subcommands", "mixinStandardHelpOptions", "versionProvider"),
            "Option", Set.of("names", "paramLabel", "description", "defaultValue", "arity", "required"),
            "Parameters", Set.of("index", "arity", "paramLabel", "description", "defaultValue"),
            "Mixin", Set.of("name"),
            "Spec", Set.of("value"));
    /** The picocli annotations on members the generated models write. */
    private static final List<String> MEMBER_ANNOTATIONS = List.of("Option", "Parameters", "Mixin", "Spec");
    /** The picocli annotations on members the generated models do not know: a build error. */
    private static final List<String> UNSUPPORTED_MEMBER_ANNOTATIONS = List.of("ArgGroup", "ParentCommand", "Unmatched");
    /** The name of the class written, in the commands' package. */
    static final String GENERATED = "CommandSpecs";

    private boolean failed;

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        if (annotations.isEmpty()) {
            return false;
        }
        TypeElement commandAnnotation = processingEnv.getElementUtils().getTypeElement(PICOCLI + "Command");
        List<TypeElement> commands = new ArrayList<>();
        for (Element element : round.getElementsAnnotatedWith(commandAnnotation)) {
            if (element.getKind() == ElementKind.CLASS) {
                commands.add((TypeElement) element);
            } else {
                error(element, "@Command on a " + element.getKind() + " is not supported by the generated models");
            }
        }
        if (commands.isEmpty()) {
            return false;
        }
        commands.sort(Comparator.comparing(this::binaryName));
        PackageElement pkg = processingEnv.getElementUtils().getPackageOf(commands.get(0));
        for (TypeElement command : commands) {
            if (!processingEnv.getElementUtils().getPackageOf(command).equals(pkg)) {
                error(command, "every @Command class must be in " + pkg.getQualifiedName()
                        + ": the generated models reach their fields from there");
            }
        }
        String source = new Source(pkg.getQualifiedName().toString()).write(commands);
        if (failed) {
            return false;
        }
        try (java.io.Writer out = processingEnv.getFiler()
                .createSourceFile(pkg.getQualifiedName() + "." + GENERATED, commands.toArray(new Element[0]))
                .openWriter()) {
            out.write(source);
        } catch (IOException e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "could not write " + GENERATED + ": " + e);
        }
        return false; // the annotations stay picocli's: other processors may read them too
    }

    private void error(Element element, String message) {
        failed = true;
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, element);
    }

    private String binaryName(TypeElement type) {
        return processingEnv.getElementUtils().getBinaryName(type).toString();
    }

    /** The picocli annotation of this element by simple name ("Option"), or null. */
    private static AnnotationMirror picocli(Element element, String simpleName) {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName()
                    .contentEquals(PICOCLI + simpleName)) {
                return mirror;
            }
        }
        return null;
    }

    /** The attributes written out on this annotation (not its defaults), checked against {@link #SUPPORTED}. */
    private Map<String, Object> attributes(Element element, AnnotationMirror mirror) {
        String simpleName = mirror.getAnnotationType().asElement().getSimpleName().toString();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
                : mirror.getElementValues().entrySet()) {
            String name = entry.getKey().getSimpleName().toString();
            if (!SUPPORTED.get(simpleName).contains(name)) {
                error(element, "@" + simpleName + "(" + name + " = ...) is not supported by the generated models "
                        + "(" + CommandSpecProcessor.class.getName() + "): teach it there, and CommandSpecsTest "
                        + "will hold it to picocli's own reading");
            }
            values.put(name, entry.getValue().getValue());
        }
        return values;
    }

    private static List<String> strings(Object value) {
        List<String> strings = new ArrayList<>();
        for (Object item : (List<?>) value) {
            strings.add((String) ((AnnotationValue) item).getValue());
        }
        return strings;
    }

    /** Writes the source of {@code CommandSpecs}. */
    private final class Source {
        private final String pkg;
        private final StringBuilder out = new StringBuilder();
        /** Classes given a members_ method and a binding (or queued for them), by binary name. */
        private final Set<String> bound = new HashSet<>();
        private final Deque<TypeElement> toBind = new ArrayDeque<>();

        Source(String pkg) {
            this.pkg = pkg;
        }

        String write(List<TypeElement> commands) {
            line(0, "package " + pkg + ";");
            line(0, "");
            line(0, "import picocli.CommandLine;");
            line(0, "import picocli.CommandLine.IFactory;");
            line(0, "import picocli.CommandLine.Model.CommandSpec;");
            line(0, "import picocli.CommandLine.Model.OptionSpec;");
            line(0, "import picocli.CommandLine.Model.PositionalParamSpec;");
            line(0, "import picocli.CommandLine.Range;");
            line(0, "");
            line(0, "/**");
            line(0, " * The commands' picocli models, written from their annotations at compile time by");
            line(0, " * {@code " + CommandSpecProcessor.class.getName() + "}: the same models picocli would read");
            line(0, " * from the annotations by reflection at every start, without the reflection. Do not edit.");
            line(0, " */");
            line(0, "@javax.annotation.processing.Generated(\"" + CommandSpecProcessor.class.getName() + "\")");
            line(0, "@SuppressWarnings({\"unchecked\", \"rawtypes\"})");
            line(0, "final class " + GENERATED + " {");
            line(1, "private " + GENERATED + "() {");
            line(1, "}");
            line(0, "");
            dispatcher(commands);
            for (TypeElement command : commands) {
                if (!command.getModifiers().contains(Modifier.ABSTRACT)) {
                    command(command);
                }
            }
            standardHelpOptions();
            while (!toBind.isEmpty()) {
                members(toBind.pop());
            }
            line(0, "}");
            return out.toString();
        }

        private void dispatcher(List<TypeElement> commands) {
            line(1, "/**");
            line(1, " * The model of this command class, with a new instance of it made by the factory. By name, not by");
            line(1, " * class literal: a literal of each command would load every command class for the one a line names.");
            line(1, " */");
            line(1, "static CommandSpec of(Class<?> type, IFactory factory) {");
            line(2, "try {");
            line(3, "switch (type.getName()) {");
            for (TypeElement command : commands) {
                if (!command.getModifiers().contains(Modifier.ABSTRACT)) {
                    line(4, "case " + literal(binaryName(command)) + ": return " + specMethod(command) + "(factory);");
                }
            }
            line(4, "default: break;");
            line(3, "}");
            line(2, "} catch (CommandLine.InitializationException e) {");
            line(3, "throw e;");
            line(2, "} catch (Exception e) {");
            line(3, "throw new CommandLine.InitializationException(\"Could not create \" + type.getName(), e);");
            line(2, "}");
            line(2, "throw new IllegalArgumentException(\"not a command with a generated model: \" + type.getName());");
            line(1, "}");
            line(0, "");
        }

        private String id(TypeElement type) {
            String binary = binaryName(type);
            return binary.substring(pkg.length() + 1).replace('$', '_');
        }

        private String specMethod(TypeElement command) {
            return "spec_" + id(command);
        }

        /** The class and its superclasses, the topmost first (as picocli reads them), without Object. */
        private List<TypeElement> hierarchy(TypeElement type) {
            Deque<TypeElement> classes = new ArrayDeque<>();
            for (TypeElement at = type; at != null; ) {
                if (at.getQualifiedName().contentEquals("java.lang.Object")) {
                    break;
                }
                classes.push(at);
                TypeMirror superclass = at.getSuperclass();
                at = superclass.getKind() == TypeKind.DECLARED
                        ? (TypeElement) ((DeclaredType) superclass).asElement() : null;
            }
            return new ArrayList<>(classes);
        }

        private void bind(TypeElement type) {
            for (TypeElement at : hierarchy(type)) {
                if (bound.add(binaryName(at))) {
                    toBind.add(at);
                }
            }
        }

        /** The members_ calls for this object's classes, topmost first. */
        private void memberCalls(int indent, TypeElement type, String target, String spec, String mixee) {
            bind(type);
            for (TypeElement at : hierarchy(type)) {
                memberCall(indent, at, type, target, spec, mixee);
            }
        }

        /** The members_ call for one class of {@code of}'s hierarchy; a class outside the package has none. */
        private void memberCall(int indent, TypeElement at, TypeElement of, String target, String spec, String mixee) {
            if (processingEnv.getElementUtils().getPackageOf(at).getQualifiedName().contentEquals(pkg)) {
                line(indent, "members_" + id(at) + "(" + target + ", " + spec + ", " + mixee + ", factory);");
            } else if (hasPicocliMembers(at)) {
                error(of, "a superclass with picocli members outside " + pkg + " is not supported");
            }
        }

        private boolean hasPicocliMembers(TypeElement type) {
            for (Element member : type.getEnclosedElements()) {
                for (String name : MEMBER_ANNOTATIONS) {
                    if (picocli(member, name) != null) {
                        return true;
                    }
                }
                for (String name : UNSUPPORTED_MEMBER_ANNOTATIONS) {
                    if (picocli(member, name) != null) {
                        return true;
                    }
                }
            }
            return false;
        }

        private void command(TypeElement command) {
            String type = command.getQualifiedName().toString();
            line(1, "static CommandSpec " + specMethod(command) + "(IFactory factory) throws Exception {");
            line(2, type + " target = factory.create(" + type + ".class);");
            line(2, "CommandSpec spec = CommandSpec.wrapWithoutInspection(target, factory);");
            boolean standardHelp = false;
            bind(command);
            for (TypeElement at : hierarchy(command)) {
                AnnotationMirror annotation = picocli(at, "Command");
                if (annotation != null) {
                    Map<String, Object> attributes = attributes(at, annotation);
                    if (attributes.containsKey("name")) {
                        line(2, "spec.name(" + literal((String) attributes.get("name")) + ");");
                    }
                    if (attributes.containsKey("description")) {
                        line(2, "spec.usageMessage().description(" + literals(strings(attributes.get("description")))
                                + ");");
                    }
                    if (attributes.containsKey("versionProvider")) {
                        String provider = attributes.get("versionProvider").toString();
                        line(2, "spec.versionProvider(factory.create(" + provider + ".class));");
                    }
                    if (attributes.containsKey("subcommands")) {
                        for (Object item : (List<?>) attributes.get("subcommands")) {
                            TypeElement sub = (TypeElement) ((DeclaredType) ((AnnotationValue) item).getValue())
                                    .asElement();
                            AnnotationMirror subCommand = picocli(sub, "Command");
                            Object subName = subCommand == null ? null : attributes(sub, subCommand).get("name");
                            if (subName == null) {
                                error(at, "subcommand " + sub + " needs a @Command(name = ...) of its own");
                                continue;
                            }
                            line(2, "spec.addSubcommand(" + literal((String) subName) + ", new CommandLine("
                                    + specMethod(sub) + "(factory), factory));");
                        }
                    }
                    standardHelp |= Boolean.TRUE.equals(attributes.get("mixinStandardHelpOptions"));
                }
                memberCall(2, at, command, "target", "spec", "null");
            }
            if (standardHelp) {
                line(2, "standardHelpOptions(spec); // last, as picocli adds them");
            }
            line(2, "return spec;");
            line(1, "}");
            line(0, "");
        }

        /** picocli's {@code mixinStandardHelpOptions}: its AutoHelpMixin's two options, under its key. */
        private void standardHelpOptions() {
            line(1, "private static void standardHelpOptions(CommandSpec spec) {");
            line(2, "CommandSpec mixin = CommandSpec.create();");
            line(2, "OptionSpec help = OptionSpec.builder(\"-h\", \"--help\").usageHelp(true)"
                    + ".descriptionKey(\"mixinStandardHelpOptions.help\").description(\"Show this help message and exit.\")"
                    + ".paramLabel(\"<helpRequested>\").type(boolean.class).initialValue(false).build();");
            line(2, "OptionSpec version = OptionSpec.builder(\"-V\", \"--version\").versionHelp(true)"
                    + ".descriptionKey(\"mixinStandardHelpOptions.version\")"
                    + ".description(\"Print version information and exit.\")"
                    + ".paramLabel(\"<versionRequested>\").type(boolean.class).initialValue(false).build();");
            line(2, "help.setValue(false); // as the mixin's boolean fields start");
            line(2, "version.setValue(false);");
            line(2, "mixin.addOption(help);");
            line(2, "mixin.addOption(version);");
            line(2, "spec.addMixin(\"mixinStandardHelpOptions\", mixin);");
            line(1, "}");
            line(0, "");
        }

        /** The members_ method and the binding of one class's own annotated members. */
        private void members(TypeElement type) {
            String name = type.getQualifiedName().toString();
            String binding = "Binding_" + id(type);
            line(1, "private static void members_" + id(type) + "(" + name
                    + " target, CommandSpec spec, CommandSpec mixee, IFactory factory) throws Exception {");
            List<Element> fields = new ArrayList<>();
            List<Element> methods = new ArrayList<>();
            for (Element member : type.getEnclosedElements()) {
                if (member.getKind() == ElementKind.FIELD) {
                    fields.add(member);
                } else if (member.getKind() == ElementKind.METHOD) {
                    methods.add(member);
                }
            }
            List<String> gets = new ArrayList<>();
            List<String> sets = new ArrayList<>();
            List<Element> ordered = new ArrayList<>(fields);
            ordered.addAll(methods); // picocli reads the fields, then the methods
            for (Element member : ordered) {
                for (String unsupported : UNSUPPORTED_MEMBER_ANNOTATIONS) {
                    if (picocli(member, unsupported) != null) {
                        error(member, "@" + unsupported + " is not supported by the generated models");
                    }
                }
                AnnotationMirror option = picocli(member, "Option");
                AnnotationMirror parameters = picocli(member, "Parameters");
                AnnotationMirror mixin = picocli(member, "Mixin");
                AnnotationMirror spec = picocli(member, "Spec");
                int count = (option != null ? 1 : 0) + (parameters != null ? 1 : 0) + (mixin != null ? 1 : 0)
                        + (spec != null ? 1 : 0);
                if (count == 0) {
                    continue;
                }
                if (count > 1) {
                    error(member, "more than one picocli annotation on one member");
                    continue;
                }
                if (member.getModifiers().contains(Modifier.PRIVATE) || member.getModifiers().contains(Modifier.STATIC)
                        || member.getModifiers().contains(Modifier.FINAL)) {
                    error(member, "a picocli member of the generated models must be a package-private instance "
                            + (member.getKind() == ElementKind.FIELD ? "field that is not final" : "method"));
                    continue;
                }
                String field = member.getSimpleName().toString();
                if (mixin != null) {
                    mixin(member, field, attributes(member, mixin));
                } else if (spec != null) {
                    Map<String, Object> attributes = attributes(member, spec);
                    boolean mixee = attributes.containsKey("value")
                            && ((VariableElement) attributes.get("value")).getSimpleName().contentEquals("MIXEE");
                    line(2, "target." + field + " = " + (mixee ? "mixee" : "spec") + ";");
                } else {
                    int index = gets.size();
                    TypeMirror memberType;
                    boolean method = member.getKind() == ElementKind.METHOD;
                    if (method) {
                        ExecutableElement executable = (ExecutableElement) member;
                        if (executable.getParameters().size() != 1) {
                            error(member, "an option method of the generated models takes exactly one parameter");
                            continue;
                        }
                        memberType = executable.getParameters().get(0).asType();
                        gets.add("value");
                        sets.add("target." + field + "((" + boxed(memberType) + ") (Object) value); this.value = value;");
                    } else {
                        memberType = member.asType();
                        gets.add("target." + field);
                        sets.add("target." + field + " = (" + boxed(memberType) + ") (Object) value;");
                    }
                    String builder = option != null
                            ? option(member, attributes(member, option), memberType)
                            : positional(member, attributes(member, parameters), memberType);
                    // One binding as getter and setter: an option method's getter answers what its setter was given.
                    line(2, binding + " binding" + index + " = new " + binding + "(target, " + index + ");");
                    line(2, (option != null ? "spec.addOption(" : "spec.addPositional(") + builder);
                    if (method) {
                        line(4, ".hasInitialValue(false)");
                    } else {
                        line(4, ".initialValue(target." + field + ")");
                    }
                    line(4, ".getter(binding" + index + ").setter(binding" + index + ").build());");
                }
            }
            line(1, "}");
            line(0, "");
            if (!gets.isEmpty()) {
                binding(binding, name, gets, sets);
            }
        }

        private void mixin(Element member, String field, Map<String, Object> attributes) {
            TypeMirror type = member.asType();
            if (type.getKind() != TypeKind.DECLARED) {
                error(member, "a @Mixin must be of a class type");
                return;
            }
            TypeElement mixinType = (TypeElement) ((DeclaredType) type).asElement();
            if (picocli(mixinType, "Command") != null) {
                error(member, "a @Mixin class with a @Command of its own is not supported by the generated models");
            }
            String mixinName = attributes.containsKey("name") ? (String) attributes.get("name") : field;
            String typeName = mixinType.getQualifiedName().toString();
            line(2, "{");
            line(3, "if (target." + field + " == null) {");
            line(4, "target." + field + " = factory.create(" + typeName + ".class);");
            line(3, "}");
            line(3, "CommandSpec mixin = CommandSpec.wrapWithoutInspection(target." + field + ", factory);");
            memberCalls(3, mixinType, "target." + field, "mixin", "spec");
            line(3, "spec.addMixin(" + literal(mixinName) + ", mixin);");
            line(2, "}");
        }

        private boolean multiValue(TypeMirror type) {
            if (type.getKind() == TypeKind.ARRAY) {
                return true;
            }
            if (type.getKind() != TypeKind.DECLARED) {
                return false;
            }
            TypeMirror erased = processingEnv.getTypeUtils().erasure(type);
            for (String collection : List.of("java.util.Collection", "java.util.Map")) {
                TypeMirror target = processingEnv.getTypeUtils().erasure(
                        processingEnv.getElementUtils().getTypeElement(collection).asType());
                if (processingEnv.getTypeUtils().isAssignable(erased, target)) {
                    return true;
                }
            }
            return false;
        }

        private boolean isBoolean(TypeMirror type) {
            return type.getKind() == TypeKind.BOOLEAN || type.toString().equals("java.lang.Boolean");
        }

        /** {@code .type(...)} and, for a collection, {@code .auxiliaryTypes(...)} of its element type. */
        private String types(Element member, TypeMirror type) {
            if (type.getKind() == TypeKind.ARRAY || (multiValue(type) && !isCollectionOfOne(type))) {
                error(member, "only single values and collections of one element type are supported by the "
                        + "generated models, not " + type);
                return "";
            }
            String erased = type.getKind().isPrimitive() ? type.toString()
                    : processingEnv.getTypeUtils().erasure(type).toString();
            String types = ".type(" + erased + ".class)";
            if (multiValue(type)) {
                TypeMirror element = ((DeclaredType) type).getTypeArguments().get(0);
                types += ".auxiliaryTypes(" + processingEnv.getTypeUtils().erasure(element) + ".class)";
            }
            return types;
        }

        private boolean isCollectionOfOne(TypeMirror type) {
            return type.getKind() == TypeKind.DECLARED && ((DeclaredType) type).getTypeArguments().size() == 1
                    && !type.toString().startsWith("java.util.Map");
        }

        private boolean elementIsBoolean(TypeMirror type) {
            return multiValue(type) && isCollectionOfOne(type)
                    && isBoolean(((DeclaredType) type).getTypeArguments().get(0));
        }

        private String label(Map<String, Object> attributes, Element member) {
            String label = (String) attributes.get("paramLabel");
            return label != null && !label.isEmpty() ? label.trim() : "<" + member.getSimpleName() + ">";
        }

        private String common(Map<String, Object> attributes, Element member) {
            StringBuilder s = new StringBuilder();
            // The annotation's default descriptionKey is "", the programmatic builder's null.
            s.append(".paramLabel(").append(literal(label(attributes, member))).append(").descriptionKey(\"\")");
            if (attributes.containsKey("description")) {
                s.append(".description(").append(literals(strings(attributes.get("description")))).append(")");
            }
            if (attributes.containsKey("defaultValue")) {
                String value = (String) attributes.get("defaultValue");
                if (value.equals("_NULL_") || value.equals("__no_default_value__")) {
                    error(member, "defaultValue = \"" + value + "\" is not supported by the generated models");
                }
                s.append(".defaultValue(").append(literal(value)).append(")");
            }
            return s.toString();
        }

        private String option(Element member, Map<String, Object> attributes, TypeMirror type) {
            List<String> names = attributes.containsKey("names") ? strings(attributes.get("names")) : List.of();
            if (names.isEmpty()) {
                error(member, "an @Option needs names");
                return "";
            }
            StringBuilder s = new StringBuilder("OptionSpec.builder(" + literals(names) + ")");
            s.append(types(member, type));
            String arity = (String) attributes.get("arity");
            if (arity != null && !arity.isEmpty()) {
                s.append(".arity(").append(literal(arity)).append(")");
            } else {
                // picocli's default arity of an option: none for a boolean (or booleans), else one, "unspecified".
                boolean zero = isBoolean(type) || elementIsBoolean(type);
                s.append(".arity(Range.valueOf(\"").append(zero ? "0" : "1").append("\").unspecified(true))");
            }
            if (Boolean.TRUE.equals(attributes.get("required"))) {
                s.append(".required(true)");
            }
            s.append(common(attributes, member));
            return s.toString();
        }

        private String positional(Element member, Map<String, Object> attributes, TypeMirror type) {
            StringBuilder s = new StringBuilder("PositionalParamSpec.builder()");
            s.append(types(member, type));
            String index = (String) attributes.get("index");
            if (index != null && !index.isEmpty()) {
                s.append(".index(").append(literal(index)).append(")");
            }
            String arity = (String) attributes.get("arity");
            // picocli's default arity of a positional parameter: 0..1 for a collection, else one, "unspecified".
            String range = arity != null && !arity.isEmpty() ? "Range.valueOf(" + literal(arity) + ")"
                    : "Range.valueOf(\"" + (multiValue(type) ? "0..1" : "1") + "\").unspecified(true)";
            // A positional parameter is required when its arity asks for at least one value, as picocli reads it.
            s.append(".arity(").append(range).append(").required(").append(range).append(".min() > 0)");
            s.append(common(attributes, member));
            return s.toString();
        }

        private String boxed(TypeMirror type) {
            if (type.getKind().isPrimitive()) {
                return processingEnv.getTypeUtils().boxedClass((javax.lang.model.type.PrimitiveType) type)
                        .getQualifiedName().toString();
            }
            return type.toString();
        }

        private void binding(String binding, String type, List<String> gets, List<String> sets) {
            line(1, "/** Reads and sets " + type.substring(type.lastIndexOf('.') + 1)
                    + "'s annotated members as picocli's reflection would. */");
            line(1, "private static final class " + binding
                    + " implements CommandLine.Model.IGetter, CommandLine.Model.ISetter {");
            line(2, "private final " + type + " target;");
            line(2, "private final int member;");
            line(2, "private Object value; // an option method's last value: picocli reads it back as the getter");
            line(0, "");
            line(2, binding + "(" + type + " target, int member) {");
            line(3, "this.target = target;");
            line(3, "this.member = member;");
            line(2, "}");
            line(0, "");
            line(2, "@Override");
            line(2, "public <T> T get() {");
            switchOnMember(gets, "return (T) (Object) ", ";");
            line(2, "}");
            line(0, "");
            line(2, "@Override");
            line(2, "public <T> T set(T value) {");
            line(3, "T old = get();");
            switchOnMember(sets, "", " break;");
            line(3, "return old;");
            line(2, "}");
            line(1, "}");
            line(0, "");
        }

        /** {@code switch (member)} with a case per statement, each written between prefix and suffix. */
        private void switchOnMember(List<String> statements, String prefix, String suffix) {
            line(3, "switch (member) {");
            for (int i = 0; i < statements.size(); i++) {
                line(4, "case " + i + ": " + prefix + statements.get(i) + suffix);
            }
            line(4, "default: throw new IllegalStateException(\"no member \" + member);");
            line(3, "}");
        }

        private void line(int indent, String text) {
            if (!text.isEmpty()) {
                out.append("    ".repeat(indent)).append(text);
            }
            out.append('\n');
        }
    }

    private static String literals(List<String> values) {
        StringBuilder s = new StringBuilder();
        for (String value : values) {
            s.append(s.length() == 0 ? "" : ", ").append(literal(value));
        }
        return s.toString();
    }

    /** A Java string literal of this value. */
    static String literal(String value) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
