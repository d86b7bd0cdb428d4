// Lexer for *.fleet files. String interpolation ("${...}") needs lexer modes, so the
// lexer and the parser are separate grammars. Every '{' pushes a mode and every '}' pops
// one, so the '}' that closes an interpolation returns to the string it came from.
lexer grammar FleetBaseLexer;

channels { COMMENTS }

@members {
    // An unbalanced '}' must not crash the lexer: the parser reports it with a location.
    @Override
    public int popMode() {
        return _modeStack.isEmpty() ? _mode : super.popMode();
    }

    // The marker of the heredoc being lexed ("EOT" for <<EOT); heredocs do not nest.
    private String heredocMarker = "";

    private void startHeredoc() {
        heredocMarker = getText().replaceFirst("^<<-?", "").strip();
        pushMode(HEREDOC_MODE);
    }

    /**
     * The token starts a line made of blanks and the marker, then nothing but blanks or the
     * ',' ')' ']' '}' closing what holds the heredoc. Checked at the token's start, so on that
     * line the marker is the only token (text would otherwise win as the longer match).
     */
    private boolean atHeredocEnd() {
        if (_tokenStartCharPositionInLine != 0) {
            return false;
        }
        int start = _tokenStartCharIndex;
        String line = _input.getText(org.antlr.v4.runtime.misc.Interval.of(start, start + heredocMarker.length() + 256));
        int newline = line.indexOf('\n');
        String trimmed = (newline >= 0 ? line.substring(0, newline) : line).strip();
        if (!trimmed.startsWith(heredocMarker)) {
            return false;
        }
        return trimmed.substring(heredocMarker.length()).chars().allMatch(c -> ",)]} \t".indexOf(c) >= 0);
    }

    private boolean notIdentifierPart(int c) {
        return !(Character.isLetterOrDigit(c) || c == '_' || c == '-');
    }
}

// Keywords. They are contextual: the parser accepts them as attribute and block names too.
FROM     : 'from';
TO       : 'to';
AS       : 'as';
FOR_EACH : 'for_each';
FOR      : 'for';
IN       : 'in';
IF       : 'if';
AT       : 'at';
PINNED   : 'pinned';
CORES    : 'cores' | 'core';
TRUE     : 'true';
FALSE    : 'false';
NULL     : 'null';

// Numbers with a unit glued on: 16Gi, 500m, 30s, 1Gbps. "100MB/s" is one token only when
// "/s" ends the word, so "16Gi/speed" still divides.
RATE     : DIGITS ('.' DIGITS)? [a-zA-Z]+ '/s' { notIdentifierPart(_input.LA(1)) }?;
QUANTITY : DIGITS ('.' DIGITS)? [a-zA-Z]+;
// 1e3, 2.5E-3: an exponent makes a plain number (a unit cannot follow one: 1e3Gi is not a size).
NUMBER   : DIGITS ('.' DIGITS)? ([eE] [+-]? [0-9]+)?;

// Identifiers may contain '-' (idc.sh-pudong), as in HCL: subtraction needs spaces.
IDENT    : [a-zA-Z_] [a-zA-Z0-9_-]*;

OPEN_QUOTE : '"' -> pushMode(STRING_MODE);

// <<EOT or the indented <<-EOT, up to the end of its line; the text starts on the next line.
HEREDOC_START : '<<' '-'? [a-zA-Z_] [a-zA-Z0-9_]* [ \t]* '\r'? '\n' { startHeredoc(); };

LBRACE   : '{' -> pushMode(DEFAULT_MODE);
RBRACE   : '}' -> popMode;
LBRACK   : '[';
RBRACK   : ']';
LPAREN   : '(';
RPAREN   : ')';
COMMA    : ',';
DOT      : '.';
FAT_ARROW: '=>';
EQEQ     : '==';
NEQ      : '!=';
LE       : '<=';
GE       : '>=';
LT       : '<';
GT       : '>';
AND      : '&&';
OR       : '||';
NOT      : '!';
EQ       : '=';
COLON    : ':';
QUESTION : '?';
PLUS     : '+';
MINUS    : '-';
STAR     : '*';
SLASH    : '/';
PERCENT  : '%';

LINE_COMMENT  : ('#' | '//') ~[\r\n]* -> channel(COMMENTS);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(COMMENTS);
WS            : [ \t\r\n\f]+ -> skip;

// Anything else becomes a token the parser rejects with a location: the lexer never fails silently.
UNKNOWN_CHAR : .;

fragment DIGITS : [0-9]+ ('_' [0-9]+)*;

mode STRING_MODE;
// "$${" is a literal "${", as in HCL; "\${" says the same.
ESCAPED_INTERP: '$${';
INTERP_OPEN   : '${' -> pushMode(DEFAULT_MODE);
STRING_ESCAPE : '\\' ( ["\\nrt$] | 'u' HEX HEX HEX HEX );
BAD_ESCAPE    : '\\' .?;
STRING_TEXT   : ~["\\$\r\n]+;
DOLLAR        : '$';
CLOSE_QUOTE   : '"' -> popMode;
UNTERMINATED  : [\r\n] -> popMode;

fragment HEX : [0-9a-fA-F];

// Heredoc text is kept as written (no backslash escapes); "${" interpolates, "$${" is "${".
// The end marker is tried first: on a line of its own it wins over text of the same length.
mode HEREDOC_MODE;
HEREDOC_END          : { atHeredocEnd() }? [ \t]* [a-zA-Z_] [a-zA-Z0-9_]* -> popMode;
HD_ESCAPED_INTERP    : '$${' -> type(ESCAPED_INTERP);
HD_INTERP_OPEN       : '${' -> type(INTERP_OPEN), pushMode(DEFAULT_MODE);
HEREDOC_TEXT         : { !atHeredocEnd() }? ~[$\r\n]+;
HEREDOC_NEWLINE      : '\r'? '\n';
HD_DOLLAR            : '$' -> type(DOLLAR);
