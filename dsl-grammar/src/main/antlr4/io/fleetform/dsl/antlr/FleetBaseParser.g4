// Parser for *.fleet files. Every alternative is labelled, so the AstBuilder has one
// method per construct.
parser grammar FleetBaseParser;

options { tokenVocab = FleetBaseLexer; }

@members {
    /**
     * "8 cors", "16 Gi": a number and, on the same line, a word that is not the next attribute or
     * block ("replicas = 2  image = ..." keeps working). Parsed as a quantity, so the unit is
     * reported once, with a suggestion, instead of as a cascade of syntax errors.
     */
    private boolean unitWordFollows() {
        Token number = _input.LT(1);
        Token word = _input.LT(2);
        Token after = _input.LT(3);
        if (word.getType() != IDENT || word.getLine() != number.getLine()) {
            return false;
        }
        int next = after.getType();
        boolean startsItem = next == EQ || next == COLON || next == LBRACE || next == OPEN_QUOTE
                || (next == IDENT && after.getLine() == word.getLine());
        return !startsItem;
    }
}

file
    : body EOF
    ;

body
    : item*
    ;

item
    : name EQ expr                                           # attribute
    | name label* (clause+ blockBody? | blockBody)           # block
    ;

blockBody
    : LBRACE body RBRACE
    ;

label
    : string                                                 # quotedLabel
    | IDENT                                                  # bareLabel
    ;

clause
    : FROM expr (TO expr)?                                   # fromClause
    | FOR_EACH expr                                          # forEachClause
    | AS IDENT                                               # asClause
    | IF expr                                                # ifClause
    ;

expr
    : primary                                                # primaryExpr
    | expr DOT name                                          # getAttr
    | expr LBRACK expr RBRACK                                # index
    | expr LBRACK STAR RBRACK (DOT name)*                    # splat
    | expr PINNED                                            # pinned
    | op=(MINUS | NOT) expr                                  # unary
    | expr op=(STAR | SLASH | PERCENT) expr                  # multiplicative
    | expr op=(PLUS | MINUS) expr                            # additive
    | expr op=(LT | LE | GT | GE) expr                       # comparison
    | expr op=(EQEQ | NEQ) expr                              # equality
    | expr AND expr                                          # and
    | expr OR expr                                           # or
    | <assoc = right> expr QUESTION expr COLON expr          # conditional
    | expr AT expr                                           # mount
    ;

primary
    : NUMBER CORES                                           # coresLiteral
    | {unitWordFollows()}? NUMBER IDENT                      # spacedUnitLiteral
    | NUMBER                                                 # numberLiteral
    | QUANTITY                                               # quantityLiteral
    | RATE                                                   # rateLiteral
    | (TRUE | FALSE)                                         # boolLiteral
    | NULL                                                   # nullLiteral
    | string                                                 # stringLiteral
    | heredoc                                                # heredocLiteral
    | IDENT LPAREN (expr (COMMA expr)* COMMA?)? RPAREN       # call
    | IDENT                                                  # variable
    | LBRACK FOR forVars IN expr COLON expr (IF expr)? RBRACK          # listFor
    | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK             # list
    | LBRACE FOR forVars IN expr COLON expr FAT_ARROW expr (IF expr)? RBRACE   # mapFor
    | LBRACE (entry (COMMA? entry)* COMMA?)? RBRACE          # map
    | LPAREN expr RPAREN                                     # paren
    ;

forVars
    : IDENT (COMMA IDENT)?
    ;

entry
    : (name | string) (EQ | COLON) expr
    ;

string
    : OPEN_QUOTE stringPart* CLOSE_QUOTE
    ;

stringPart
    : STRING_TEXT                                            # textPart
    | STRING_ESCAPE                                          # escapePart
    | DOLLAR                                                 # dollarPart
    | ESCAPED_INTERP                                         # escapedInterpolationPart
    | INTERP_OPEN expr RBRACE                                # interpolationPart
    ;

heredoc
    : HEREDOC_START heredocPart* HEREDOC_END
    ;

heredocPart
    : HEREDOC_TEXT                                           # heredocTextPart
    | HEREDOC_NEWLINE                                        # heredocNewlinePart
    | DOLLAR                                                 # heredocDollarPart
    | ESCAPED_INTERP                                         # heredocEscapedInterpolationPart
    | INTERP_OPEN expr RBRACE                                # heredocInterpolationPart
    ;

// Keywords are reserved only where they would be ambiguous; as names they are plain words.
name
    : IDENT | FROM | TO | AS | FOR_EACH | FOR | IN | IF | AT | PINNED | CORES
    ;
