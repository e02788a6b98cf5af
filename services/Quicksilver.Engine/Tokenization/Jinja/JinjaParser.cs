using System.Globalization;
using System.Runtime.CompilerServices;

namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>
/// Parses a template's segments (<see cref="JinjaLexer"/>) into statements and expressions, with Jinja's precedence:
/// conditional, <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>, <c>* / // %</c>,
/// <c>**</c>, unary minus, then filters, tests, calls, attributes and subscripts. A statement this engine does not run
/// (<c>include</c>, <c>extends</c>, <c>call</c>, <c>filter</c> blocks…) is an error naming it.
/// </summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> Comparisons = new(StringComparer.Ordinal) { "==", "!=", "<", "<=", ">", ">=" };

    /// <summary>Deeper nesting than chat templates use, and shallow enough for any thread's stack to render.</summary>
    private const int MaxDepth = 200;

    private readonly List<Segment> _segments;
    private int _depth;
    private int _segment;
    private IReadOnlyList<Token> _tokens = [];
    private int _token;

    private JinjaParser(List<Segment> segments) => _segments = segments;

    public static IReadOnlyList<Node> Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Split(source));
        (IReadOnlyList<Node> body, string? end) = parser.ParseBlock([]);
        return end is null ? body : throw new JinjaException($"'{end}' without its opening statement");
    }

    /// <summary>Statements up to one of <paramref name="ends"/> (consumed; returned with its name) or the end of the template.</summary>
    private (IReadOnlyList<Node> Body, string? End) ParseBlock(string[] ends)
    {
        EnsureStack();
        if (ends.Length > 0 && ++_depth > MaxDepth)
        {
            throw new JinjaException($"the template nests statements deeper than {MaxDepth} levels");
        }

        try
        {
            return ParseStatements(ends);
        }
        finally
        {
            _depth -= ends.Length > 0 ? 1 : 0;
        }
    }

    private (IReadOnlyList<Node> Body, string? End) ParseStatements(string[] ends)
    {
        var nodes = new List<Node>();
        while (_segment < _segments.Count)
        {
            Segment segment = _segments[_segment++];
            switch (segment.Kind)
            {
                case SegmentKind.Text:
                    nodes.Add(new TextNode(segment.Text));
                    break;
                case SegmentKind.Output:
                    Begin(segment);
                    nodes.Add(new OutputNode(ParseExpression()));
                    ExpectEnd();
                    break;
                default:
                    Begin(segment);
                    Token keyword = Next();
                    if (keyword.Kind != TokenKind.Name)
                    {
                        throw Error(keyword, "a statement must start with its name");
                    }

                    if (ends.Contains(keyword.Text))
                    {
                        return (nodes, keyword.Text);
                    }

                    if (ParseStatement(keyword) is { } node)
                    {
                        nodes.Add(node);
                    }

                    break;
            }
        }

        return ends.Length == 0 ? (nodes, null) : throw new JinjaException($"the template ends before '{ends[^1]}'");
    }

    private Node? ParseStatement(Token keyword)
    {
        switch (keyword.Text)
        {
            case "if":
                return ParseIf();
            case "for":
                return ParseFor();
            case "set":
                return ParseSet();
            case "macro":
                return ParseMacro();
            case "break":
                ExpectEnd();
                return new BreakNode();
            case "continue":
                ExpectEnd();
                return new ContinueNode();
            case "generation":
                // transformers' assistant-mask marker: its body renders as it is.
                ExpectEnd();
                (IReadOnlyList<Node> body, _) = ParseBlock(["endgeneration"]);
                ExpectEnd();
                return new IfNode([(new Literal(true, keyword.Line), body)], []);
            default:
                throw Error(keyword, $"the '{keyword.Text}' statement is not supported by this server's chat template engine");
        }
    }

    private IfNode ParseIf()
    {
        var branches = new List<(Expression, IReadOnlyList<Node>)>();
        Expression condition = ParseExpression();
        ExpectEnd();
        while (true)
        {
            (IReadOnlyList<Node> body, string? end) = ParseBlock(["elif", "else", "endif"]);
            branches.Add((condition, body));
            if (end == "elif")
            {
                condition = ParseExpression();
                ExpectEnd();
                continue;
            }

            IReadOnlyList<Node> otherwise = [];
            if (end == "else")
            {
                ExpectEnd();
                (otherwise, _) = ParseBlock(["endif"]);
            }

            ExpectEnd();
            return new IfNode(branches, otherwise);
        }
    }

    private ForNode ParseFor()
    {
        var targets = new List<string> { ExpectName() };
        while (Peek().Is(","))
        {
            Next();
            targets.Add(ExpectName());
        }

        Expect("in");
        Expression iterable = ParseTupleOrExpression(allowConditional: false);
        Expression? filter = null;
        if (Peek().Is("if"))
        {
            Next();
            filter = ParseExpression();
        }

        if (Peek().Is("recursive"))
        {
            throw Error(Peek(), "recursive loops are not supported by this server's chat template engine");
        }

        ExpectEnd();
        (IReadOnlyList<Node> body, string? end) = ParseBlock(["else", "endfor"]);
        IReadOnlyList<Node> otherwise = [];
        if (end == "else")
        {
            ExpectEnd();
            (otherwise, _) = ParseBlock(["endfor"]);
        }

        ExpectEnd();
        return new ForNode(targets, iterable, filter, body, otherwise);
    }

    private Node ParseSet()
    {
        var targets = new List<string> { ExpectName() };
        string? attribute = null;
        if (Peek().Is("."))
        {
            Next();
            attribute = ExpectName();
        }

        while (attribute is null && Peek().Is(","))
        {
            Next();
            targets.Add(ExpectName());
        }

        if (Peek().Kind == TokenKind.End && attribute is null && targets.Count == 1)
        {
            (IReadOnlyList<Node> body, _) = ParseBlock(["endset"]);
            ExpectEnd();
            return new SetBlockNode(targets[0], body);
        }

        Expect("=");
        Expression value = ParseTupleOrExpression();
        ExpectEnd();
        return new SetNode(targets, attribute, value);
    }

    private MacroNode ParseMacro()
    {
        string name = ExpectName();
        Expect("(");
        var parameters = new List<(string, Expression?)>();
        while (!Peek().Is(")"))
        {
            string parameter = ExpectName();
            Expression? fallback = null;
            if (Peek().Is("="))
            {
                Next();
                fallback = ParseExpression();
            }

            parameters.Add((parameter, fallback));
            if (!Peek().Is(")"))
            {
                Expect(",");
            }
        }

        Next();
        ExpectEnd();
        (IReadOnlyList<Node> body, _) = ParseBlock(["endmacro"]);
        ExpectEnd();
        return new MacroNode(name, parameters, body);
    }

    /// <summary>An expression, or a tuple of them separated by commas (a trailing comma allowed, as in Python).</summary>
    private Expression ParseTupleOrExpression(bool allowConditional = true)
    {
        Expression first = ParseExpression(allowConditional);
        if (!Peek().Is(","))
        {
            return first;
        }

        var items = new List<Expression> { first };
        while (Peek().Is(","))
        {
            Next();
            if (Peek().Kind == TokenKind.End || Peek().Is(")") || Peek().Is("if"))
            {
                break;
            }

            items.Add(ParseExpression(allowConditional));
        }

        return new ListLiteral(items, first.Line, IsTuple: true);
    }

    private Expression ParseExpression(bool allowConditional = true)
    {
        EnsureStack();
        if (++_depth > MaxDepth)
        {
            throw new JinjaException($"line {Peek().Line}: the template nests expressions deeper than {MaxDepth} levels");
        }

        try
        {
            return ParseConditional(allowConditional);
        }
        finally
        {
            _depth--;
        }
    }

    private Expression ParseConditional(bool allowConditional)
    {
        Expression value = ParseOr();
        while (allowConditional && Peek().Is("if"))
        {
            int line = Next().Line;
            Expression condition = ParseOr();
            Expression? otherwise = null;
            if (Peek().Is("else"))
            {
                Next();
                otherwise = ParseExpression();
            }

            value = new Conditional(condition, value, otherwise, line);
        }

        return value;
    }

    private Expression ParseOr()
    {
        Expression left = ParseAnd();
        while (Peek().Is("or"))
        {
            int line = Next().Line;
            left = new Binary("or", left, ParseAnd(), line);
        }

        return left;
    }

    private Expression ParseAnd()
    {
        Expression left = ParseNot();
        while (Peek().Is("and"))
        {
            int line = Next().Line;
            left = new Binary("and", left, ParseNot(), line);
        }

        return left;
    }

    private Expression ParseNot()
    {
        if (Peek().Is("not"))
        {
            int line = Next().Line;
            return new Unary("not", ParseNot(), line);
        }

        return ParseCompare();
    }

    /// <summary>Comparisons chain as in Python: <c>a &lt; b &lt; c</c> is <c>a &lt; b and b &lt; c</c>, <c>b</c> evaluated once.</summary>
    private Expression ParseCompare()
    {
        Expression first = ParseAdditive();
        var links = new List<(string Operator, Expression Operand)>();
        while (true)
        {
            Token next = Peek();
            if (next.Kind == TokenKind.Operator && Comparisons.Contains(next.Text))
            {
                Next();
                links.Add((next.Text, ParseAdditive()));
            }
            else if (next.Is("in"))
            {
                Next();
                links.Add(("in", ParseAdditive()));
            }
            else if (next.Is("not") && PeekAt(1).Is("in"))
            {
                Next();
                Next();
                links.Add(("not in", ParseAdditive()));
            }
            else
            {
                return links.Count switch
                {
                    0 => first,
                    1 => new Binary(links[0].Operator, first, links[0].Operand, first.Line),
                    _ => new Comparison(first, links, first.Line),
                };
            }
        }
    }

    private Expression ParseAdditive()
    {
        Expression left = ParseConcat();
        while (Peek().Is("+") || Peek().Is("-"))
        {
            Token op = Next();
            left = new Binary(op.Text, left, ParseConcat(), op.Line);
        }

        return left;
    }

    private Expression ParseConcat()
    {
        Expression left = ParseMultiplicative();
        while (Peek().Is("~"))
        {
            int line = Next().Line;
            left = new Binary("~", left, ParseMultiplicative(), line);
        }

        return left;
    }

    private Expression ParseMultiplicative()
    {
        Expression left = ParsePower();
        while (Peek().Is("*") || Peek().Is("/") || Peek().Is("//") || Peek().Is("%"))
        {
            Token op = Next();
            left = new Binary(op.Text, left, ParsePower(), op.Line);
        }

        return left;
    }

    private Expression ParsePower()
    {
        Expression left = ParseUnary();
        while (Peek().Is("**"))
        {
            int line = Next().Line;
            left = new Binary("**", left, ParseUnary(), line);
        }

        return left;
    }

    /// <summary>A unary minus binds tighter than a filter, as in Jinja: <c>-3|abs</c> is <c>abs(-3)</c>.</summary>
    private Expression ParseUnary(bool withFilters = true)
    {
        Expression value;
        if (Peek().Is("-") || Peek().Is("+"))
        {
            Token op = Next();
            Expression operand = ParseUnary(withFilters: false);
            value = op.Text == "-" ? new Unary("-", operand, op.Line) : operand;
        }
        else
        {
            value = ParsePrimary();
        }

        value = ParsePostfix(value);
        return withFilters ? ParseFiltersAndTests(value) : value;
    }

    private Expression ParseFiltersAndTests(Expression value)
    {
        while (true)
        {
            if (Peek().Is("|"))
            {
                Next();
                Token name = Peek();
                string filter = ExpectName();
                (List<Expression> arguments, List<(string, Expression)> keywords) = Peek().Is("(") ? ParseArguments() : ([], []);
                value = ParsePostfix(new Filter(value, filter, arguments, keywords, name.Line));
            }
            else if (Peek().Is("is"))
            {
                int line = Next().Line;
                bool negated = false;
                if (Peek().Is("not"))
                {
                    Next();
                    negated = true;
                }

                string test = Peek().Kind == TokenKind.Name ? Next().Text : throw Error(Peek(), "a test name must follow 'is'");
                List<Expression> arguments = [];
                if (Peek().Is("("))
                {
                    (arguments, _) = ParseArguments();
                }
                else if (Peek().Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float || Peek().Is("[") || Peek().Is("{")
                    || (Peek().Kind == TokenKind.Name && !Peek().Is("and") && !Peek().Is("or") && !Peek().Is("else")))
                {
                    // As Jinja reads a test's one argument without parentheses: `is divisibleby 3`, `is in ['a']`.
                    arguments = [ParsePostfix(ParsePrimary())];
                }

                value = new Test(value, test, arguments, negated, line);
            }
            else
            {
                return value;
            }
        }
    }

    private Expression ParsePostfix(Expression value)
    {
        while (true)
        {
            Token next = Peek();
            if (next.Is("."))
            {
                Next();
                Token member = Next();
                value = member.Kind switch
                {
                    TokenKind.Name => new Attribute(value, member.Text, member.Line),
                    TokenKind.Integer => new Subscript(value, new Literal(IntegerValue(member), member.Line), member.Line), // `messages.0`
                    _ => throw Error(member, "an attribute name must follow '.'"),
                };
            }
            else if (next.Is("["))
            {
                Next();
                value = ParseSubscript(value, next.Line);
            }
            else if (next.Is("("))
            {
                (List<Expression> arguments, List<(string, Expression)> keywords) = ParseArguments();
                value = new Call(value, arguments, keywords, next.Line);
            }
            else
            {
                return value;
            }
        }
    }

    private Expression ParseSubscript(Expression target, int line)
    {
        Expression? start = Peek().Is(":") ? null : ParseExpression();
        if (!Peek().Is(":"))
        {
            Expect("]");
            return new Subscript(target, start!, line);
        }

        Next();
        Expression? stop = Peek().Is(":") || Peek().Is("]") ? null : ParseExpression();
        Expression? step = null;
        if (Peek().Is(":"))
        {
            Next();
            step = Peek().Is("]") ? null : ParseExpression();
        }

        Expect("]");
        return new Slice(target, start, stop, step, line);
    }

    private (List<Expression> Arguments, List<(string Name, Expression Value)> Keywords) ParseArguments()
    {
        Expect("(");
        var arguments = new List<Expression>();
        var keywords = new List<(string, Expression)>();
        while (!Peek().Is(")"))
        {
            if (Peek().Kind == TokenKind.Name && PeekAt(1).Is("="))
            {
                string name = Next().Text;
                Next();
                keywords.Add((name, ParseExpression()));
            }
            else
            {
                arguments.Add(ParseExpression());
            }

            if (!Peek().Is(")"))
            {
                Expect(",");
            }
        }

        Next();
        return (arguments, keywords);
    }

    private Expression ParsePrimary()
    {
        Token token = Next();
        switch (token.Kind)
        {
            case TokenKind.String:
                string text = token.Text;
                while (Peek().Kind == TokenKind.String)
                {
                    text += Next().Text;
                }

                return new Literal(text, token.Line);
            case TokenKind.Integer:
                return new Literal(IntegerValue(token), token.Line);
            case TokenKind.Float:
                return new Literal(double.Parse(token.Text, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => new Literal(true, token.Line),
                    "false" or "False" => new Literal(false, token.Line),
                    "none" or "None" => new Literal(null, token.Line),
                    _ => new Name(token.Text, token.Line),
                };
            case TokenKind.Operator when token.Text == "(":
                if (Peek().Is(")"))
                {
                    Next();
                    return new ListLiteral([], token.Line, IsTuple: true);
                }

                Expression inner = ParseTupleOrExpression();
                Expect(")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                var items = new List<Expression>();
                while (!Peek().Is("]"))
                {
                    items.Add(ParseExpression());
                    if (!Peek().Is("]"))
                    {
                        Expect(",");
                    }
                }

                Next();
                return new ListLiteral(items, token.Line);
            case TokenKind.Operator when token.Text == "{":
                var entries = new List<(Expression, Expression)>();
                while (!Peek().Is("}"))
                {
                    Expression key = ParseExpression();
                    Expect(":");
                    entries.Add((key, ParseExpression()));
                    if (!Peek().Is("}"))
                    {
                        Expect(",");
                    }
                }

                Next();
                return new DictLiteral(entries, token.Line);
            default:
                throw Error(token, token.Kind == TokenKind.End ? "an expression is missing" : $"unexpected '{token.Text}'");
        }
    }

    private static long IntegerValue(Token token) =>
        long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw Error(token, "integers beyond 64 bits are not supported by this server's chat template engine");

    /// <summary>A template nested too deeply for the thread's stack is refused with a reason instead of ending the process.</summary>
    private static void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new JinjaException("the template nests too deeply");
        }
    }

    private void Begin(Segment segment)
    {
        _tokens = segment.Tokens;
        _token = 0;
    }

    private Token Peek() => _tokens[_token];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_token + ahead, _tokens.Count - 1)];

    private Token Next() => _tokens[_token < _tokens.Count - 1 ? _token++ : _token];

    private string ExpectName()
    {
        Token token = Next();
        return token.Kind == TokenKind.Name ? token.Text : throw Error(token, "a name is expected");
    }

    private void Expect(string text)
    {
        Token token = Next();
        if (!token.Is(text))
        {
            throw Error(token, $"'{text}' is expected");
        }
    }

    private void ExpectEnd()
    {
        if (Peek().Kind != TokenKind.End)
        {
            throw Error(Peek(), "the tag should end here");
        }
    }

    private static JinjaException Error(Token token, string message) =>
        new($"line {token.Line}: {message}{(token.Kind == TokenKind.End ? string.Empty : $" (at '{token.Text}')")}");
}
