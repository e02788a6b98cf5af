namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>A statement of a parsed template.</summary>
internal abstract record Node;

internal sealed record TextNode(string Text) : Node;

internal sealed record OutputNode(Expression Value) : Node;

internal sealed record IfNode(IReadOnlyList<(Expression Condition, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node> Else) : Node;

internal sealed record ForNode(IReadOnlyList<string> Targets, Expression Iterable, Expression? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node> Else) : Node;

/// <summary><c>{% set name = value %}</c>, or <c>{% set ns.attribute = value %}</c> when <see cref="Attribute"/> is given.</summary>
internal sealed record SetNode(IReadOnlyList<string> Targets, string? Attribute, Expression Value) : Node;

/// <summary><c>{% set name %}…{% endset %}</c>: the body's text.</summary>
internal sealed record SetBlockNode(string Target, IReadOnlyList<Node> Body) : Node;

internal sealed record MacroNode(string Name, IReadOnlyList<(string Name, Expression? Default)> Parameters, IReadOnlyList<Node> Body) : Node;

internal sealed record BreakNode : Node;

internal sealed record ContinueNode : Node;

/// <summary>An expression of a parsed template.</summary>
internal abstract record Expression(int Line);

internal sealed record Literal(object? Value, int Line) : Expression(Line);

/// <summary>A list, or with <see cref="IsTuple"/> a tuple: <c>(a, b)</c>, <c>a, b</c> in a <c>set</c>.</summary>
internal sealed record ListLiteral(IReadOnlyList<Expression> Items, int Line, bool IsTuple = false) : Expression(Line);

internal sealed record DictLiteral(IReadOnlyList<(Expression Key, Expression Value)> Entries, int Line) : Expression(Line);

internal sealed record Name(string Identifier, int Line) : Expression(Line);

internal sealed record Attribute(Expression Target, string Member, int Line) : Expression(Line);

internal sealed record Subscript(Expression Target, Expression Index, int Line) : Expression(Line);

internal sealed record Slice(Expression Target, Expression? Start, Expression? Stop, Expression? Step, int Line) : Expression(Line);

internal sealed record Call(Expression Callee, IReadOnlyList<Expression> Arguments, IReadOnlyList<(string Name, Expression Value)> Keywords, int Line) : Expression(Line);

internal sealed record Filter(Expression Value, string FilterName, IReadOnlyList<Expression> Arguments, IReadOnlyList<(string Name, Expression Value)> Keywords, int Line) : Expression(Line);

internal sealed record Test(Expression Value, string TestName, IReadOnlyList<Expression> Arguments, bool Negated, int Line) : Expression(Line);

internal sealed record Unary(string Operator, Expression Operand, int Line) : Expression(Line);

internal sealed record Binary(string Operator, Expression Left, Expression Right, int Line) : Expression(Line);

/// <summary>A chain of two or more comparisons, <c>a &lt; b &lt; c</c>.</summary>
internal sealed record Comparison(Expression First, IReadOnlyList<(string Operator, Expression Operand)> Links, int Line) : Expression(Line);

internal sealed record Conditional(Expression Condition, Expression WhenTrue, Expression? WhenFalse, int Line) : Expression(Line);
