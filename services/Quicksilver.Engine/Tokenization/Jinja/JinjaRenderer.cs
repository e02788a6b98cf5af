using System.Runtime.CompilerServices;
using System.Text;

namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>
/// Runs a parsed template over its variables. Scopes follow Jinja's: a <c>set</c> inside a loop or macro does not
/// outlive it (templates carry state out of loops in a <c>namespace</c>), an <c>if</c> opens no scope.
/// </summary>
internal sealed class JinjaRenderer
{
    private const int MaxOutputChars = 16 * 1024 * 1024;
    private const int MaxLoopIterations = 1_000_000;

    /// <summary>Deeper macro recursion than any chat template needs; Jinja2 stops at Python's recursion limit, near 300 calls.</summary>
    private const int MaxMacroDepth = 100;

    private readonly StringBuilder _output = new();
    private readonly List<Dictionary<string, object?>> _scopes;
    private int _iterations;
    private int _macroDepth;

    private JinjaRenderer(Dictionary<string, object?> globals) => _scopes = [globals];

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public static string Render(IReadOnlyList<Node> template, Dictionary<string, object?> variables)
    {
        var renderer = new JinjaRenderer(variables);
        renderer.Execute(template);
        return renderer._output.ToString();
    }

    private Flow Execute(IReadOnlyList<Node> nodes)
    {
        foreach (Node node in nodes)
        {
            Flow flow = Execute(node);
            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow Execute(Node node)
    {
        EnsureStack();
        switch (node)
        {
            case TextNode text:
                Write(text.Text);
                break;
            case OutputNode output:
                Write(JinjaValues.Text(Evaluate(output.Value)));
                break;
            case IfNode conditional:
                foreach ((Expression condition, IReadOnlyList<Node> body) in conditional.Branches)
                {
                    if (JinjaValues.IsTrue(Evaluate(condition)))
                    {
                        return Execute(body);
                    }
                }

                return Execute(conditional.Else);
            case ForNode loop:
                return ExecuteFor(loop);
            case SetNode set:
                Assign(set);
                break;
            case SetBlockNode block:
                _scopes[^1][block.Target] = Capture(block.Body);
                break;
            case MacroNode macro:
                _scopes[^1][macro.Name] = Macro(macro);
                break;
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
        }

        return Flow.Normal;
    }

    /// <summary>
    /// Jinja's loop: the filter and each iteration run in a scope of their own (a <c>set</c> in one iteration is gone in
    /// the next); the else block runs in the enclosing scope unless some iteration ran its body to the end (not cut by
    /// break or continue), as Jinja compiles it.
    /// </summary>
    private Flow ExecuteFor(ForNode loop)
    {
        List<object?> items = JinjaValues.Items(Evaluate(loop.Iterable), loop.Iterable.Line);
        if (loop.Filter is not null)
        {
            items = [.. items.Where(item => InScope(() =>
            {
                Bind(loop.Targets, item, loop.Iterable.Line);
                return JinjaValues.IsTrue(Evaluate(loop.Filter));
            }))];
        }

        bool completed = false;
        var info = new LoopInfo(items);
        for (int i = 0; i < items.Count; i++)
        {
            if (++_iterations > MaxLoopIterations)
            {
                throw new JinjaException($"line {loop.Iterable.Line}: the template ran more than {MaxLoopIterations} loop iterations");
            }

            info.Index0 = i;
            Flow flow = InScope(() =>
            {
                _scopes[^1]["loop"] = info;
                Bind(loop.Targets, items[i], loop.Iterable.Line);
                return Execute(loop.Body);
            });
            completed |= flow == Flow.Normal;
            if (flow == Flow.Break)
            {
                break;
            }
        }

        return completed ? Flow.Normal : Execute(loop.Else);
    }

    private T InScope<T>(Func<T> run)
    {
        _scopes.Add([]);
        try
        {
            return run();
        }
        finally
        {
            _scopes.RemoveAt(_scopes.Count - 1);
        }
    }

    private void Bind(IReadOnlyList<string> targets, object? item, int line)
    {
        if (targets.Count == 1)
        {
            _scopes[^1][targets[0]] = item;
            return;
        }

        List<object?> parts = item is string text ? JinjaValues.Items(text, line) : item as List<object?> ?? throw new JinjaException($"line {line}: cannot unpack {JinjaValues.TypeName(item)} into {targets.Count} names");
        if (parts.Count != targets.Count)
        {
            throw new JinjaException($"line {line}: cannot unpack {parts.Count} values into {targets.Count} names");
        }

        for (int i = 0; i < targets.Count; i++)
        {
            _scopes[^1][targets[i]] = parts[i];
        }
    }

    private void Assign(SetNode set)
    {
        object? value = Evaluate(set.Value);
        if (set.Attribute is { } attribute)
        {
            if (Lookup(set.Targets[0]) is not JinjaNamespace ns)
            {
                throw new JinjaException($"line {set.Value.Line}: '{set.Targets[0]}.{attribute}' can only be set on a namespace");
            }

            ns.Attributes[attribute] = value;
            return;
        }

        Bind(set.Targets, value, set.Value.Line);
    }

    private string Capture(IReadOnlyList<Node> body)
    {
        int start = _output.Length;
        Execute(body);
        string text = _output.ToString(start, _output.Length - start);
        _output.Length = start;
        return text;
    }

    /// <summary>A macro sees the template's top-level names and its parameters, not its caller's variables, as in Jinja.</summary>
    private JinjaCallable Macro(MacroNode macro) => new(macro.Name, (arguments, keywords) =>
    {
        if (_macroDepth >= MaxMacroDepth)
        {
            throw new JinjaException($"macro '{macro.Name}' recursed deeper than {MaxMacroDepth} calls");
        }

        if (arguments.Count > macro.Parameters.Count)
        {
            throw new JinjaException($"macro '{macro.Name}' takes {macro.Parameters.Count} arguments, not {arguments.Count}");
        }

        List<Dictionary<string, object?>> callers = [.. _scopes.Skip(1)];
        _scopes.RemoveRange(1, callers.Count);
        _scopes.Add([]);
        _macroDepth++;
        try
        {
            for (int i = 0; i < macro.Parameters.Count; i++)
            {
                (string name, Expression? fallback) = macro.Parameters[i];
                _scopes[^1][name] = i < arguments.Count ? arguments[i] : keywords.TryGetValue(name, out object? named) ? named : fallback is null ? Undefined.Instance : Evaluate(fallback);
            }

            return Capture(macro.Body);
        }
        finally
        {
            _macroDepth--;
            _scopes.RemoveRange(1, _scopes.Count - 1);
            _scopes.AddRange(callers);
        }
    });

    /// <summary>A template nested or recursing too deeply for the thread's stack fails its render, as Jinja2's RecursionError does, instead of the process.</summary>
    private static void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new JinjaException("the template nests or recurses too deeply");
        }
    }

    private object? Lookup(string name)
    {
        for (int i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out object? value))
            {
                return value;
            }
        }

        return Undefined.Instance;
    }

    private void Write(string text)
    {
        _output.Append(text);
        if (_output.Length > MaxOutputChars)
        {
            throw new JinjaException($"the template wrote more than {MaxOutputChars} characters");
        }
    }

    private object? Evaluate(Expression expression)
    {
        EnsureStack();
        switch (expression)
        {
            case Literal literal:
                return literal.Value;
            case ListLiteral { IsTuple: true } tuple:
                return new JinjaTuple(tuple.Items.Select(Evaluate));
            case ListLiteral list:
                return list.Items.Select(Evaluate).ToList();
            case DictLiteral dict:
                var entries = new OrderedDictionary<string, object?>();
                foreach ((Expression key, Expression value) in dict.Entries)
                {
                    entries[JinjaValues.Text(Evaluate(key))] = Evaluate(value);
                }

                return entries;
            case Name name:
                return Lookup(name.Identifier);
            case Attribute attribute:
                return JinjaBuiltins.Member(Evaluate(attribute.Target), attribute.Member, attribute.Line);
            case Subscript subscript:
                return Index(Evaluate(subscript.Target), Evaluate(subscript.Index), subscript.Line);
            case Slice slice:
                return SliceOf(Evaluate(slice.Target), slice);
            case Call call:
                return Invoke(call);
            case Filter filter:
                (List<object?> filterArguments, Dictionary<string, object?> filterKeywords) = Arguments(filter.Arguments, filter.Keywords);
                return JinjaBuiltins.Filter(filter.FilterName, Evaluate(filter.Value), filterArguments, filterKeywords, (test, value, arguments) => JinjaBuiltins.Test(test, value, arguments, filter.Line), filter.Line);
            case Test test:
                bool holds = JinjaBuiltins.Test(test.TestName, Evaluate(test.Value), [.. test.Arguments.Select(Evaluate)], test.Line);
                return holds != test.Negated;
            case Unary { Operator: "not" } not:
                return !JinjaValues.IsTrue(Evaluate(not.Operand));
            case Unary negation:
                return Evaluate(negation.Operand) switch
                {
                    long l => (object)(-l),
                    double d => -d,
                    bool b => b ? -1L : 0L,
                    var other => throw new JinjaException($"line {negation.Line}: cannot negate {JinjaValues.TypeName(other)}"),
                };
            case Binary binary:
                return EvaluateBinary(binary);
            case Comparison chain:
                object? left = Evaluate(chain.First);
                foreach ((string op, Expression operand) in chain.Links)
                {
                    object? right = Evaluate(operand);
                    if (!Compare(op, left, right, chain.Line))
                    {
                        return false;
                    }

                    left = right;
                }

                return true;
            case Conditional conditional:
                return JinjaValues.IsTrue(Evaluate(conditional.Condition))
                    ? Evaluate(conditional.WhenTrue)
                    : conditional.WhenFalse is null ? Undefined.Instance : Evaluate(conditional.WhenFalse);
            default:
                throw new JinjaException($"line {expression.Line}: cannot evaluate {expression.GetType().Name}");
        }
    }

    private object? EvaluateBinary(Binary binary)
    {
        switch (binary.Operator)
        {
            case "and":
                object? left = Evaluate(binary.Left);
                return JinjaValues.IsTrue(left) ? Evaluate(binary.Right) : left;
            case "or":
                object? first = Evaluate(binary.Left);
                return JinjaValues.IsTrue(first) ? first : Evaluate(binary.Right);
        }

        object? a = Evaluate(binary.Left);
        object? b = Evaluate(binary.Right);
        return binary.Operator switch
        {
            "==" or "!=" or "<" or "<=" or ">" or ">=" or "in" or "not in" => Compare(binary.Operator, a, b, binary.Line),
            "~" => JinjaValues.Text(a) + JinjaValues.Text(b),
            "%" when a is string format => JinjaValues.Format(format, b, binary.Line),
            _ => JinjaValues.Arithmetic(binary.Operator, a, b, binary.Line),
        };
    }

    private static bool Compare(string op, object? a, object? b, int line) => op switch
    {
        "==" => JinjaValues.Equals(a, b),
        "!=" => !JinjaValues.Equals(a, b),
        "<" => JinjaValues.Compare(a, b, line) < 0,
        "<=" => JinjaValues.Compare(a, b, line) <= 0,
        ">" => JinjaValues.Compare(a, b, line) > 0,
        ">=" => JinjaValues.Compare(a, b, line) >= 0,
        "in" => JinjaValues.Contains(b, a, line),
        _ => !JinjaValues.Contains(b, a, line),
    };

    private object? Invoke(Call call)
    {
        object? callee = Evaluate(call.Callee);
        (List<object?> arguments, Dictionary<string, object?> keywords) = Arguments(call.Arguments, call.Keywords);
        return callee is JinjaCallable function
            ? function.Invoke(arguments, keywords)
            : throw new JinjaException($"line {call.Line}: {Describe(call.Callee)} is not a function{(callee is Undefined ? " this server knows" : string.Empty)}");
    }

    private (List<object?> Arguments, Dictionary<string, object?> Keywords) Arguments(IReadOnlyList<Expression> arguments, IReadOnlyList<(string Name, Expression Value)> keywords) =>
        ([.. arguments.Select(Evaluate)], keywords.ToDictionary(k => k.Name, k => Evaluate(k.Value), StringComparer.Ordinal));

    private static string Describe(Expression expression) => expression switch
    {
        Name name => $"'{name.Identifier}'",
        Attribute attribute => $"'{attribute.Member}'",
        _ => "the value",
    };

    private static object? Index(object? target, object? index, int line)
    {
        switch (target, index)
        {
            case (List<object?> list, long i):
                long at = i < 0 ? list.Count + i : i;
                return at >= 0 && at < list.Count ? list[(int)at] : Undefined.Instance;
            case (string s, long i):
                List<object?> characters = JinjaValues.Items(s, line);
                long position = i < 0 ? characters.Count + i : i;
                return position >= 0 && position < characters.Count ? characters[(int)position] : Undefined.Instance;
            case (OrderedDictionary<string, object?> dict, string key):
                return dict.TryGetValue(key, out object? value) ? value : Undefined.Instance;
            case (Undefined, _):
                throw new JinjaException($"line {line}: an item of an undefined value");
            case (_, string member):
                return JinjaBuiltins.Member(target, member, line);
            default:
                return Undefined.Instance;
        }
    }

    private object? SliceOf(object? target, Slice slice)
    {
        long? Bound(Expression? expression) => expression is null ? null : Evaluate(expression) switch
        {
            long l => l,
            null => null,
            var other => throw new JinjaException($"line {slice.Line}: a slice bound must be an integer, not {JinjaValues.TypeName(other)}"),
        };

        long step = Bound(slice.Step) ?? 1;
        if (step == 0)
        {
            throw new JinjaException($"line {slice.Line}: a slice step cannot be zero");
        }

        if (target is Undefined)
        {
            throw new JinjaException($"line {slice.Line}: a slice of an undefined value");
        }

        List<object?> items = JinjaValues.Items(target, slice.Line);
        int count = items.Count;
        long Clamp(long? bound, long fallback)
        {
            if (bound is not { } b)
            {
                return fallback;
            }

            b = b < 0 ? b + count : b;
            return step > 0 ? Math.Clamp(b, 0, count) : Math.Clamp(b, -1, count - 1);
        }

        long start = Clamp(Bound(slice.Start), step > 0 ? 0 : count - 1);
        long stop = Clamp(Bound(slice.Stop), step > 0 ? count : -1);
        var picked = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            picked.Add(items[(int)i]);
        }

        return target is string ? string.Concat(picked.Select(JinjaValues.Text)) : picked;
    }
}
